import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { YumenConfig } from '../config/index.ts';
import { AttachmentScanner, Gateway, TenantGuards, UsageWriter, createGatewayMetrics } from '../gateway/index.ts';
import { buildPolicySet, parsePolicy } from '../policy/index.ts';
import { createKeyAuthenticator, getTenantPolicyChain, listDictionaryTerms, governanceSettings, lazySecretBox, loadMasterKey, withStoredModels } from '../governance/index.ts';
import { createModelRegistry } from '../providers/index.ts';
import { createAppRepository, createFeedbackRepository, createTenantRepository, createTokenUsageRepository, createUsageRepository, openStore, type Store } from '../store/index.ts';
import { createAppService } from '../apps/index.ts';
import { createFeedbackService } from '../flywheel/index.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { linkKeyFrom } from '../util/value-link.ts';
import { auditLogFromConfig, auditSettings, createConversationCapture } from '../audit/index.ts';
import { limiterFromConfig } from '../governance/limits/index.ts';
import { responseCacheFromConfig } from '../governance/cache/index.ts';
import { buildServer, type YumenServer } from './app.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { kbRoutes } from './routes/kb.ts';
import { createFileTextReader, extractCitations, groundMessages, impliedKnowledgeModels, knowledgeFromConfig, retrieveForChat, startJobWorker } from '../knowledge/index.ts';
import { clusterFromConfig, createReloadableRegistry, modelReloader, type ChangeBus } from '../cluster/index.ts';
import { createFirstRunSetup, setupLink } from './routes/console/index.ts';
import { consoleStatic } from './static.ts';

export interface RunningYumen {
  app: FastifyInstance;
  server: YumenServer;
  store: Store;
  gateway: Gateway;
  /** Admin changes made here reach every node through it (subscribe to apply, publish after a change). */
  bus: ChangeBus;
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
  // Models of yumen.yaml plus those added through the admin API; reloaded whenever any node changes one.
  // The legacy `knowledge.rerank: { base_url, model }` is a registry model too (zone private unless it says so).
  const loadModels = async () => [...await withStoredModels(config.models, store.db, secretBox), ...impliedKnowledgeModels(config)];
  const models = await loadModels();
  // Cluster problems are never fatal (the version check repairs a lost message); logged once the server exists.
  const warn = (err: unknown, what: string) => {
    try {
      server.app.log.warn({ err }, `cluster: ${what}`);
    } catch { /* before the server is built */ }
  };
  const registry = createReloadableRegistry(models, (ms) => createModelRegistry(ms, { dataDir: config.data_dir }), { onError: (err) => warn(err, 'closing a replaced model') });
  // The change bus: admin changes on any node reach this one within moments (pub/sub + version check).
  const cluster = await clusterFromConfig(config, store, { onError: warn });
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
  // Placeholder values are linked to feedback by keyed digests (util/value-link.ts), keyed from the master key.
  const linkKey = linkKeyFrom(() => loadMasterKey({ dataDir: config.data_dir }).key);
  const conversations = createConversationCapture(store.db, { enabled: auditConfig.conversations.enabled, tenants: auditConfig.conversations.tenants, linkKey });
  const pruneConversations = setInterval(() => void conversations.prune(auditConfig.conversations.retentionDays).catch(() => {}), 86_400_000);
  pruneConversations.unref();
  const limiter = limiterFromConfig(config, createTokenUsageRepository(store.db), { queueFor: cluster.queueFor });
  const cacheableModels = new Set(models.filter((m) => m.cache === true).map((m) => m.name));
  const cache = cacheableModels.size ? responseCacheFromConfig(config) : undefined;
  const guards = new TenantGuards(policies, {
    source: { policyChain: (id) => getTenantPolicyChain(store.db, id), dictionaryTerms: (id) => listDictionaryTerms(store.db, id) },
  });
  const authenticator = createKeyAuthenticator(store.db);
  // Knowledge bases: background ingest worker (jobs persist in the database) and the /api/kb routes.
  const knowledge = await knowledgeFromConfig(config, store, registry);
  // Business-scenario apps (app:<slug>) and the flywheel's feedback and dataset export.
  const tenants = createTenantRepository(store.db);
  const apps = createAppService({
    repo: createAppRepository(store.db),
    modelExists: (name) => registry.get(name) !== undefined,
    readableKnowledgeBases: async (tenantId) => new Set((await knowledge.listBases({ tenantId })).map((b) => b.name)),
    departmentExists: async (id) => (await tenants.findById(id)) !== undefined,
  });
  const feedbackRepo = createFeedbackRepository(store.db);
  const guardFor = async (t: { tenantId: string; tenantName: string }) => (await guards.for(t)).guard;
  const feedback = createFeedbackService({ repo: feedbackRepo, conversations, guardFor, linkKey });
  // Files and images inside requests are read (text layers, OCR) and their text guarded like the rest of the body.
  const fileText = createFileTextReader();
  const attachments = new AttachmentScanner(fileText.read);
  const gateway = new Gateway({ registry, metrics, usage, guards, limiter, audit, cache, cacheableModels, conversations, apps, attachments,
    knowledge: {
      retrieve: async (principal, names, query, opts) => (await retrieveForChat(knowledge, principal, names, query, opts)).sources,
      ground: (messages, sources) => groundMessages(messages, sources),
      cite: (answer, sources) => extractCitations(answer, sources),
    },
  });
  cluster.bus.subscribe('keys', () => authenticator.invalidate());
  cluster.bus.subscribe('policies', () => guards.invalidate());
  cluster.bus.subscribe('models', modelReloader(loadModels, registry, {
    onReload: (ms) => {
      cacheableModels.clear();
      for (const m of ms) if (m.cache === true) cacheableModels.add(m.name);
    },
  }));
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
    plugins: [adminRoutes({ db: store.db, settings: governanceSettings(config), secretBox, configModels: config.models, audit, auditTrail: { log: audit, anchorFile: auditConfig.anchorFile, anchorKeyFile: auditConfig.anchorKeyFile }, validatePolicy: (p) => parsePolicy(p).problems, policies, console: { gateway, guards, setup, knowledge: { service: knowledge, worker: kbWorker, authenticator }, serving: { registry, queues: () => limiter.queues() } }, onChange: (what) => cluster.bus.publish(what), apps, datasets: { repo: feedbackRepo, guardFor } }), feedbackRoutes({ service: feedback, authenticator, audit }), kbRoutes({ service: knowledge, authenticator, worker: kbWorker, audit }), consoleStatic()],
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
    bus: cluster.bus,
    url,
    setupUrl: setupLink(url, setup),
    close() {
      closing ??= (async () => {
        server.beginShutdown();
        await server.inFlight.drain(config.server.shutdown_grace_ms);
        await server.app.close();
        await cluster.close();
        await kbWorker.stop();
        await knowledge.close();
        await fileText.close();
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
