import type { FastifyInstance } from 'fastify';
import type { Gateway, TenantGuards } from '../../../gateway/index.ts';
import type { KeyAuthenticator } from '../../../governance/index.ts';
import type { JobWorker, KnowledgeService } from '../../../knowledge/index.ts';
import { kbRoutes } from '../kb.ts';
import type { AdminContext } from '../admin/context.ts';
import { chatRoutes, principalFor } from './chat-routes.ts';
import { healthRoutes, type ServingState } from './health-routes.ts';
import { modelTestRoutes } from './model-test.ts';
import { overviewRoutes } from './overview-routes.ts';
import { scanRoutes } from './scan-routes.ts';
import { setupRoutes, type FirstRunSetup } from './setup.ts';

/** What the console's own endpoints need beside the admin context. */
export interface ConsoleDeps {
  gateway: Gateway;
  guards: TenantGuards;
  setup: FirstRunSetup;
  /** Knowledge bases for the console: the /api/kb routes again under /api/console/kb, signed in by session. */
  knowledge?: { service: KnowledgeService; worker?: JobWorker | null; authenticator: KeyAuthenticator };
  /** The live model pools and backend queues, for the Models page's health and the overview's queue depth. */
  serving?: ServingState;
}

/** The department a console knowledge-base call acts for: the x-yumen-department header. */
export const DEPARTMENT_HEADER = 'x-yumen-department';

export type { FirstRunSetup } from './setup.ts';
export type { ServingState } from './health-routes.ts';
export { createFirstRunSetup, setupLink } from './setup.ts';

/**
 * Endpoints that exist for the web console alone: first-run setup, the overview's aggregates, the
 * security admin's "try it" scan, a model connection test and a chat signed in by session that reports
 * what left the domain. Registered inside the admin API's scope so sessions, roles and audit apply.
 */
export async function consoleRoutes(app: FastifyInstance, { ctx, deps }: { ctx: AdminContext; deps: ConsoleDeps }): Promise<void> {
  await app.register(setupRoutes, { ctx, setup: deps.setup });
  await app.register(overviewRoutes, { ctx, serving: deps.serving });
  await app.register(healthRoutes, { ctx, serving: deps.serving });
  await app.register(scanRoutes, { ctx, deps });
  await app.register(modelTestRoutes, { ctx });
  await app.register(chatRoutes, { ctx, deps });
  if (deps.knowledge) {
    await app.register(kbRoutes({
      ...deps.knowledge, basePath: '/console/kb',
      authenticate: async (request) => {
        request.principal = await principalFor(ctx, request, String(request.headers[DEPARTMENT_HEADER] ?? ''));
      },
    }));
  }
}
