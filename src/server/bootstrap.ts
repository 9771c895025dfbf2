import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { YumenConfig } from '../config/index.ts';
import { Gateway, TenantGuards, UsageWriter, createGatewayMetrics } from '../gateway/index.ts';
import { buildPolicySet, parsePolicy } from '../policy/index.ts';
import { createKeyAuthenticator, getTenantPolicyChain, listDictionaryTerms, governanceSettings, lazySecretBox, loadMasterKey, withStoredModels } from '../governance/index.ts';
import { createModelRegistry } from '../providers/index.ts';
import { createTokenUsageRepository, createUsageRepository, openStore, type Store } from '../store/index.ts';
import { auditLogFromConfig, auditSettings, createConversationCapture } from '../audit/index.ts';
import { limiterFromConfig } from '../governance/limits/index.ts';
import { responseCacheFromConfig } from '../governance/cache/index.ts';
import { buildServer, type YumenServer } from './app.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { kbRoutes } from './routes/kb.ts';
import { createFirstRunSetup, setupLink } from './routes/console/index.ts';
import { consoleStatic } from './static.ts';
import { extractCitations, groundMessages, knowledgeFromConfig, retrieveForChat, startJobWorker } from '../knowledge/index.ts';

export interface RunningYumen {
  app: FastifyInstance;
  server: YumenServer;
  store: Store;
  gateway: Gateway;
  /** The address actually bound, e.g. http://127.0.0.1:8080 */
  url: string;
  /** First run (no account yet): the one-time link that creates the three administrators; null otherwise. */
  setupUrl: string | null;
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
  const secretBox = lazySecretBox(() => loadMasterKey({ dataDir: config.data_dir }).key);
  // Models added through the admin API join yumen.yaml's at start (changes take effect at the next start).
  const models = await withStoredModels(config.models, store.db, secretBox);
  const registry = createModelRegistry(models, { dataDir: config.data_dir });
  const metrics = createGatewayMetrics();
  const usage = new UsageWriter(createUsageRepository(store.db), {
    onError: (err, dropped) => server.app.log.error({ err, dropped }, dropped ? 'usage records dropped' : 'usage records not written yet; will retry'),
  });
  const { set: policies, problems } = buildPolicySet(config.policy, models);
  if (problems.length) throw new Error(`invalid policy configuration:\n  - ${problems.join('\n  - ')}`);
  // Audit trail (SM3 chain, awaited before each response completes), limits + fair queues, opt-in response cache.
  const audit = auditLogFromConfig(store.db, config);
  const auditConfig = auditSettings(config);
  const stopAuditMaintenance = audit.startMaintenance({ anchorIntervalMs: auditConfig.anchorIntervalMs, pruneIntervalMs: 86_400_000 });
  // Conversations for the data flywheel: off unless audit.conversations.enabled; stored redacted as for the external zone.
  const conversations = createConversationCapture(store.db, { enabled: auditConfig.conversations.enabled, tenants: auditConfig.conversations.tenants });
  const pruneConversations = setInterval(() => void conversations.prune(auditConfig.conversations.retentionDays).catch(() => {}), 86_400_000);
  pruneConversations.unref();
  const limiter = limiterFromConfig(config, createTokenUsageRepository(store.db));
  const cacheableModels = new Set(models.filter((m) => m.cache === true).map((m) => m.name));
  const cache = cacheableModels.size ? responseCacheFromConfig(config) : undefined;
  const guards = new TenantGuards(policies, {
    source: { policyChain: (id) => getTenantPolicyChain(store.db, id), dictionaryTerms: (id) => listDictionaryTerms(store.db, id) },
  });
  const authenticator = createKeyAuthenticator(store.db);
  // Knowledge bases: background ingest worker (jobs persist in the database) and the /api/kb routes.
  const knowledge = await knowledgeFromConfig(config, store, registry);
  const gateway = new Gateway({ registry, metrics, usage, guards, limiter, audit, cache, cacheableModels, conversations,
    knowledge: {
      retrieve: async (principal, names, query) => (await retrieveForChat(knowledge, principal, names, query)).sources,
      ground: (messages, sources) => groundMessages(messages, sources),
      cite: (answer, sources) => extractCitations(answer, sources),
    },
  });
  const setup = await createFirstRunSetup(store.db);
  const kbWorker = startJobWorker(knowledge, { onError: (err) => server.app.log.error({ err }, 'knowledge ingest worker') });
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
    plugins: [adminRoutes({ db: store.db, settings: governanceSettings(config), secretBox, configModels: config.models, audit, console: { gateway, guards, setup, knowledge: { service: knowledge, worker: kbWorker, authenticator } }, validatePolicy: (p) => parsePolicy(p).problems, onChange: (what) => (what === 'keys' ? authenticator.invalidate() : guards.invalidate()) }), kbRoutes({ service: knowledge, authenticator, worker: kbWorker }), consoleStatic()],
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
    setupUrl: setupLink(url, setup),
    close() {
      closing ??= (async () => {
        server.beginShutdown();
        await server.inFlight.drain(config.server.shutdown_grace_ms);
        await server.app.close();
        await kbWorker.stop();
        await knowledge.close();
        await usage.close();
        stopAuditMaintenance();
        clearInterval(pruneConversations);
        await conversations.close();
        await audit.close();
        await limiter.close();
        await cache?.close();
        await registry.close();
        await authenticator.close();
        await store.close();
      })();
      return closing;
    },
  };
}
