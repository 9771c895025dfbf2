import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { inScope, scopeFor } from '../../../governance/index.ts';
import { Vault } from '../../../guard/index.ts';
import { decide, type Zone } from '../../../policy/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { notFound, type AdminContext } from '../admin/context.ts';
import type { ConsoleDeps } from './index.ts';

const Body = Type.Object({
  department_id: Type.String({ minLength: 1, maxLength: 64 }),
  text: Type.String({ minLength: 1, maxLength: 100_000 }),
}, { additionalProperties: false });

const ZONES: Zone[] = ['private', 'external'];

/**
 * POST /api/console/scan — the security admin's "try it" box: scans pasted text with the department's
 * compiled guard (its policy layers and dictionaries) and shows, per zone, the policy's action and the
 * text that zone's model would receive. Nothing is sent anywhere and nothing is stored.
 */
export async function scanRoutes(app: FastifyInstance, { ctx, deps }: { ctx: AdminContext; deps: ConsoleDeps }): Promise<void> {
  app.post<{ Body: Static<typeof Body> }>('/console/scan', {
    schema: { tags: ['console'], summary: 'Scan text as a department\'s guard would and preview what each zone receives', body: Body },
  }, async (request) => {
    if (!request.actor) throw yumenError('unauthenticated', 'Sign in first (POST /api/auth/login). / 请先登录。');
    const scope = await scopeFor(request.actor, 'policy.read', ctx.departments);
    const dept = await ctx.departments.findById(request.body.department_id);
    if (!dept || !inScope(scope, dept.id)) notFound('department');
    const { policy, guard } = await deps.guards.for({ tenantId: dept.id, tenantName: dept.name });
    const text = request.body.text;
    const scan = guard.scan(text);
    const zones: Record<string, { action: string; code?: string; text: string | null; redactions: number }> = {};
    for (const zone of ZONES) {
      const decision = decide(policy, { name: `any-${zone}-model`, zone }, scan, policy.privateModel ? { name: policy.privateModel, zone: 'private' } : undefined);
      if (decision.action === 'block') {
        zones[zone] = { action: 'block', code: decision.code, text: null, redactions: 0 };
        continue;
      }
      const chosen = scan.findings.filter((f) => decision.pseudonymize.has(f.type));
      zones[zone] = {
        action: decision.rerouted ? 'reroute' : decision.action,
        text: chosen.length ? new Vault().pseudonymize(text, chosen) : text,
        redactions: chosen.length,
      };
    }
    return {
      level: scan.level,
      findings: scan.findings.map((f) => ({ type: f.type, start: f.start, end: f.end, level: f.level, text: text.slice(f.start, f.end), label: f.label ?? null })),
      zones,
    };
  });
}
