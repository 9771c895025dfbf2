import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { YumenConfig } from '../config/index.ts';
import { Gateway, TenantGuards, UsageWriter, createGatewayMetrics } from '../gateway/index.ts';
import { buildPolicySet } from '../policy/index.ts';
import { createKeyAuthenticator } from '../governance/index.ts';
import { createModelRegistry } from '../providers/index.ts';
import { createUsageRepository, openStore, type Store } from '../store/index.ts';
import { buildServer, type YumenServer } from './app.ts';

export interface RunningYumen {
  app: FastifyInstance;
  server: YumenServer;
  store: Store;
  gateway: Gateway;
  /** The address actually bound, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Graceful: refuse new requests, let in-flight ones finish within shutdown_grace_ms, flush records, close. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Listen on this port instead of the configured one (0 = any free port; tests use it). */
  port?: number;
  host?: string;
  logger?: boolean | { level: string };
}

/** The composition root: builds every module from the configuration and starts listening. */
export async function startYumen(config: YumenConfig, opts: StartOptions = {}): Promise<RunningYumen> {
  const store = await openStore(config.storage.url);
  const logger = opts.logger ?? (config.log.level === 'silent' ? false : { level: config.log.level });
  const registry = createModelRegistry(config.models, { dataDir: config.data_dir });
  const metrics = createGatewayMetrics();
  const usage = new UsageWriter(createUsageRepository(store.db));
  const { set: policies, problems } = buildPolicySet(config.policy, config.models);
  if (problems.length) throw new Error(`invalid policy configuration:\n  - ${problems.join('\n  - ')}`);
  const gateway = new Gateway({ registry, metrics, usage, guards: new TenantGuards(policies) });
  const authenticator = createKeyAuthenticator(store.db);
  const server = await buildServer({
    gateway,
    authenticator,
    metrics: metrics.registry,
    checkStore: async () => {
      await sql`select 1`.execute(store.db);
    },
    bodyLimitBytes: config.server.body_limit_bytes,
    trustProxy: config.server.trust_proxy,
    logger,
  });
  const host = opts.host ?? config.server.host;
  const port = opts.port ?? config.server.port;
  await server.app.listen({ host, port });
  const address = server.app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

  let closing: Promise<void> | undefined;
  return {
    app: server.app,
    server,
    store,
    gateway,
    url,
    close() {
      closing ??= (async () => {
        server.beginShutdown();
        await server.inFlight.drain(config.server.shutdown_grace_ms);
        await server.app.close();
        await usage.close();
        await registry.close();
        await store.close();
      })();
      return closing;
    },
  };
}
