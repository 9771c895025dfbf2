import type { FastifyInstance } from 'fastify';
import type { QueueStats } from '../../../governance/limits/index.ts';
import type { ModelRegistry } from '../../../providers/index.ts';
import { allow, type AdminContext } from '../admin/context.ts';

/** What the console reads of the live serving state: the model pools and this node's backend queues. */
export interface ServingState {
  registry: Pick<ModelRegistry, 'get' | 'stats'>;
  /** Per limited backend: slots in use and waiters (the limiter's `queues()`). */
  queues?: () => Record<string, QueueStats>;
}

export type BackendState = 'healthy' | 'cooling_down';

/** Each model's backends as the pool sees them: healthy, or cooling down after a failure until `cooldown_until`. */
export function modelHealth(serving: ServingState, now = Date.now()) {
  const byModel = new Map<string, Array<{ backend: string; state: BackendState; in_flight: number; cooldown_until?: number }>>();
  for (const s of serving.registry.stats()) {
    const row: { backend: string; state: BackendState; in_flight: number; cooldown_until?: number } = {
      backend: s.backend, state: s.healthy ? 'healthy' : 'cooling_down', in_flight: s.inFlight,
    };
    if (!s.healthy && s.ejectedUntil !== undefined) row.cooldown_until = s.ejectedUntil;
    (byModel.get(s.model) ?? byModel.set(s.model, []).get(s.model)!).push(row);
  }
  return { time: now, data: [...byModel].map(([model, backends]) => ({ model, backends })) };
}

/** This node's queue depth per private (in-domain) backend that has a concurrency limit. */
export function privateQueues(serving: ServingState | undefined) {
  if (!serving?.queues) return [];
  return Object.entries(serving.queues())
    .filter(([model]) => serving.registry.get(model)?.zone === 'private')
    .map(([model, q]) => ({ backend: model, active: q.active, queued: q.queued }));
}

/** GET /api/console/models/health (sysadmin): per model, its backends' state and calls in flight on this node. */
export async function healthRoutes(app: FastifyInstance, { ctx, serving }: { ctx: AdminContext; serving?: ServingState }): Promise<void> {
  app.get('/console/models/health', {
    preHandler: allow(ctx, 'model.write'),
    schema: { tags: ['console'], summary: 'Health of each model\'s backends on this node' },
  }, async () => (serving ? modelHealth(serving) : { time: Date.now(), data: [] }));
}
