import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditSink } from '../../gateway/ports.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Audit action name, e.g. `admin.user.create`; routes with one (and every state-changing route) are recorded. */
    action?: string;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function errorCodeOf(payload: unknown): string | null {
  return typeof payload === 'string' ? /"code":"([a-z_]+)"/.exec(payload)?.[1] ?? null : null;
}

/**
 * The one audit hook of the admin and knowledge APIs: every state-changing request (allowed or refused),
 * and every route that names an `action`, leaves a record before its response is sent. A state-changing
 * route without an action is still recorded, as `<prefix>.<METHOD> <route>`, so a new route cannot slip by.
 */
export function registerAuditHook(app: FastifyInstance, audit: AuditSink, opts: { prefix: string; who: (request: FastifyRequest) => { actor: string | null; tenantId: string | null } }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const method = request.method.toUpperCase();
    const action = request.routeOptions.config?.action ?? (STATE_CHANGING.has(method) && request.routeOptions.url ? `${opts.prefix}.${method} ${request.routeOptions.url}` : null);
    if (!action) return payload;
    const { actor, tenantId } = opts.who(request);
    await audit.record({
      requestId: request.id, time: Date.now(), actor, tenantId: tenantId ?? '', action, model: null, zone: null, level: 'public', findings: {},
      decision: reply.statusCode < 400 ? 'allow' : 'deny', status: reply.statusCode,
      errorCode: reply.statusCode < 400 ? null : errorCodeOf(payload), promptTokens: 0, completionTokens: 0, latencyMs: reply.elapsedTime,
    });
    return payload;
  });
}
