import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { scopeFor } from '../../../governance/index.ts';
import { createUsageStatsRepository } from '../../../store/index.ts';
import { yumenError } from '../../../util/errors.ts';
import type { AdminContext } from '../admin/context.ts';
import { privateQueues, type ServingState } from './health-routes.ts';

const Query = Type.Object({ days: Type.Optional(Type.String({ pattern: '^(?:[1-9]|[1-8][0-9]|90)$', description: '1–90' })) }, { additionalProperties: false });
const DAY_MS = 86_400_000;

/**
 * GET /api/console/overview: calls, tokens, refusals and pseudonymized calls by day, department, zone and
 * model; findings by type; latency of private backends and this node's queue depth before them. Administrators and auditors see every
 * department, a department administrator their subtree; a plain member has no overview.
 */
export async function overviewRoutes(app: FastifyInstance, { ctx, serving }: { ctx: AdminContext; serving?: ServingState }): Promise<void> {
  const stats = createUsageStatsRepository(ctx.db);
  app.get<{ Querystring: Static<typeof Query> }>('/console/overview', {
    schema: { tags: ['console'], summary: 'Usage aggregates for the console overview', querystring: Query },
  }, async (request) => {
    const actor = request.actor;
    if (!actor) throw yumenError('unauthenticated', 'Sign in first (POST /api/auth/login). / 请先登录。');
    if (actor.roles.every((r) => r.role === 'member')) throw yumenError('forbidden', 'The overview is for administrators and auditors. / 概览仅对管理员和审计员开放。');
    const scope = await scopeFor(actor, 'department.read', ctx.departments);
    const days = request.query.days ? Number(request.query.days) : 7;
    const since = Math.floor(Date.now() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
    const summary = await stats.summarize({ since, bucketMs: DAY_MS, tenantIds: scope.kind === 'all' ? undefined : scope.ids });
    const names = new Map((await ctx.departments.list()).map((d) => [d.id, d.displayName ?? d.name]));
    return {
      since, bucket_ms: DAY_MS, days,
      cells: summary.cells.map((c) => ({
        day: c.bucket * DAY_MS, department_id: c.tenantId, department: names.get(c.tenantId) ?? c.tenantId, zone: c.zone ?? 'none', model: c.model,
        calls: c.calls, tokens: c.tokens, refused: c.refused, pseudonymized: c.pseudonymized,
      })),
      findings: summary.findings,
      private_backends: summary.privateBackends.map((b) => ({ backend: b.backend, calls: b.calls, avg_latency_ms: b.avgLatencyMs, max_latency_ms: b.maxLatencyMs })),
      private_queues: privateQueues(serving),
    };
  });
}
