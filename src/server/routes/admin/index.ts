import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Kysely } from 'kysely';
import type { ModelConfig } from '../../../config/index.ts';
import type { AuditSink } from '../../../gateway/ports.ts';
import type { PolicySet } from '../../../policy/index.ts';
import { createAccounts, createModelStore, createOidcLogin, GOVERNANCE_DEFAULTS, type GovernanceSettings, type SecretBox } from '../../../governance/index.ts';
import { createUserRepository, type Database } from '../../../store/index.ts';
import { registerSessions } from '../../plugins/session.ts';
import type { AppService } from '../../../apps/index.ts';
import { registerAuditHook } from '../../plugins/audit-hook.ts';
import { appRoutes } from './app-routes.ts';
import { registerCsrfGuard } from '../../plugins/csrf.ts';
import { authRoutes } from './auth-routes.ts';
import { auditRoutes, type AuditTrail } from './audit-routes.ts';
import { datasetRoutes, type DatasetRouteDeps } from './dataset-routes.ts';
import { repositories, type AdminContext } from './context.ts';
import { departmentRoutes } from './department-routes.ts';
import { dictionaryRoutes } from './dictionary-routes.ts';
import { evalRoutes } from './eval-routes.ts';
import { keyRoutes } from './key-routes.ts';
import { modelRoutes } from './model-routes.ts';
import { oidcRoutes } from './oidc-routes.ts';
import { userRoutes } from './user-routes.ts';
import { consoleRoutes, type ConsoleDeps } from '../console/index.ts';

export interface AdminRoutesOptions {
  db: Kysely<Database>;
  /** The `governance:` settings (sessions, lock-out, password cost); defaults when left out. */
  settings?: GovernanceSettings;
  /** Seals model credentials; without it the /api/models routes answer 503. */
  secretBox?: SecretBox;
  /** Models of yumen.yaml, listed read-only beside the stored ones. */
  configModels?: readonly ModelConfig[];
  /** Every admin mutation (and login) is recorded here, never with secrets or passwords. */
  audit?: AuditSink;
  /** The audit trail served to the auditor at /api/audit/*; absent = those routes are not offered. */
  auditTrail?: AuditTrail;
  /** The configuration's policies, shown as the first layers of each department's effective policy. */
  policies?: PolicySet;
  /** The policy module's check of a department policy; problems as "path: message". */
  validatePolicy?: (policy: unknown) => string[];
  /**
   * Called after a key is revoked, a policy, dictionary or department changed, or a model added, changed or
   * removed, so caches drop what they hold — on every node of a cluster (the change bus).
   */
  onChange?: (what: 'keys' | 'policies' | 'models' | 'apps') => void | Promise<void>;
  /** Business-scenario apps (/api/apps); the routes are left out without it. */
  apps?: AppService;
  /** The flywheel's dataset export (/api/datasets/export); left out without it. */
  datasets?: DatasetRouteDeps;
  /** The web console's own endpoints (setup, overview, try-it scan, chat) under /api/setup and /api/console. */
  console?: ConsoleDeps;
}

/**
 * The admin REST API under /api, with its OpenAPI 3 document at /api/openapi.json. Returns a plugin for
 * `buildServer({ plugins })`. People sign in with POST /api/auth/login and are then known by the session
 * cookie; every route checks the caller's role (see governance/access.ts).
 */
export function adminRoutes(opts: AdminRoutesOptions) {
  return async function registerAdmin(app: FastifyInstance): Promise<void> {
    const settings = opts.settings ?? GOVERNANCE_DEFAULTS;
    const accounts = createAccounts(opts.db, { settings });
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'Yumen admin API / 玉门管理接口', version: '1', description: 'Departments, users, 三员 roles, API keys, models, policies and dictionaries. Sign in with POST /api/auth/login; the session cookie authenticates the rest.' },
        components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'yumen_session' } } },
        security: [{ session: [] }],
      },
    });
    const sessions = registerSessions(app, { accounts, secureCookie: settings.session.secureCookie });
    registerCsrfGuard(app);
    app.decorateRequest('scope', null);
    app.decorateRequest('auditTenant', null);
    app.decorateRequest('auditActor', null);

    const audit = opts.audit;
    if (audit) registerAuditHook(app, audit, { prefix: 'admin', who: (request) => ({ actor: request.actor?.userId ?? request.auditActor ?? null, tenantId: request.auditTenant }) });

    const ctx: AdminContext = {
      db: opts.db, accounts, users: createUserRepository(opts.db), ...repositories(opts.db),
      models: opts.secretBox ? createModelStore(opts.db, opts.secretBox, { configModels: opts.configModels, airGapped: opts.policies?.airGapped, allowLocalAddresses: settings.models?.allowLocalAddresses }) : null,
      sessions, audit, validatePolicy: opts.validatePolicy, policies: opts.policies, onChange: opts.onChange,
    };
    for (const routes of [authRoutes, departmentRoutes, userRoutes, keyRoutes, modelRoutes, dictionaryRoutes]) {
      await app.register(routes, { prefix: '/api', ctx });
    }
    if (opts.auditTrail) await app.register(auditRoutes, { prefix: '/api', ctx, trail: opts.auditTrail });
    if (opts.apps) await app.register(appRoutes, { prefix: '/api', ctx, apps: opts.apps });
    if (opts.datasets) await app.register(datasetRoutes, { prefix: '/api', ctx, datasets: opts.datasets });
    if (opts.console) await app.register(evalRoutes, { prefix: '/api', ctx, gateway: opts.console.gateway });
    if (opts.console) await app.register(consoleRoutes, { prefix: '/api', ctx, deps: opts.console });
    if (settings.oidc) await app.register(oidcRoutes, { prefix: '/api', ctx, oidc: createOidcLogin(opts.db, accounts, settings.oidc) });
    app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  };
}
