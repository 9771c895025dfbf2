import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { yumenError } from '../../util/errors.ts';

export interface HealthRoutesOptions {
  metrics: Registry;
  /** Resolves when the store answers; throws otherwise. */
  checkStore: () => Promise<void>;
  isDraining: () => boolean;
}

export async function healthRoutes(app: FastifyInstance, opts: HealthRoutesOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async () => {
    if (opts.isDraining()) throw yumenError('shutting_down', 'Shutting down. / 正在停止服务。');
    try {
      await opts.checkStore();
    } catch (err) {
      throw yumenError('not_ready', 'The database is not reachable. / 数据库不可用。', { cause: err });
    }
    return { status: 'ready' };
  });

  app.get('/metrics', async (_request, reply) => {
    reply.type(opts.metrics.contentType);
    return opts.metrics.metrics();
  });
}
