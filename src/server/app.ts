import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Gateway } from '../gateway/index.ts';
import { newRequestId } from '../gateway/index.ts';
import type { KeyAuthenticator } from '../governance/index.ts';
import { yumenError } from '../util/errors.ts';
import { InFlight } from './in-flight.ts';
import { registerErrorHandling, sendError } from './plugins/errors.ts';
import { healthRoutes } from './routes/health.ts';
import { openAIRoutes } from './routes/openai.ts';

export interface ServerDeps {
  gateway: Gateway;
  authenticator: KeyAuthenticator;
  metrics: Registry;
  checkStore: () => Promise<void>;
  bodyLimitBytes: number;
  trustProxy?: boolean;
  logger?: FastifyInstance['log'] | boolean | { level: string };
  /** Extra route plugins (admin API, knowledge, console) registered by their modules. */
  plugins?: Array<(app: FastifyInstance) => Promise<void> | void>;
}

export interface YumenServer {
  app: FastifyInstance;
  inFlight: InFlight;
  /** New requests get 503 from now on; in-flight ones may finish. */
  beginShutdown(): void;
}

export async function buildServer(deps: ServerDeps): Promise<YumenServer> {
  let draining = false;
  const app = Fastify({
    logger: deps.logger === undefined ? false : (deps.logger as boolean),
    // Per-request access lines cost more than the gateway's own work; usage records and audit cover requests.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    trustProxy: deps.trustProxy ?? false,
    genReqId: () => newRequestId(),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    return503OnClosing: true,
  });
  const inFlight = new InFlight();
  app.decorateRequest('principal', null);
  registerErrorHandling(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-yumen-request-id', request.id);
    if (request.url.startsWith('/v1/')) {
      // The OpenAI SDKs read x-request-id (`_request_id`, error.request_id): the same id as x-yumen-request-id.
      reply.header('x-request-id', request.id);
      // Defaults for responses that never reach a model: nothing left the domain.
      reply.header('x-yumen-route', 'private');
      reply.header('x-yumen-level', 'public');
      reply.header('x-yumen-redactions', '0');
    }
    if (draining && !request.url.startsWith('/healthz')) {
      reply.header('connection', 'close');
      return sendError(reply, yumenError('shutting_down', 'The server is shutting down; retry shortly. / 服务正在停止，请稍后重试。', { headers: { 'retry-after': '1' } }));
    }
  });

  await app.register(healthRoutes, { metrics: deps.metrics, checkStore: deps.checkStore, isDraining: () => draining });
  await app.register(openAIRoutes, { gateway: deps.gateway, authenticator: deps.authenticator, inFlight });
  for (const plugin of deps.plugins ?? []) await app.register(async (scope) => plugin(scope));

  return {
    app,
    inFlight,
    beginShutdown() {
      draining = true;
    },
  };
}
