import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { FeedbackService } from '../../flywheel/index.ts';
import type { AuditSink } from '../../gateway/index.ts';
import type { KeyAuthenticator } from '../../governance/index.ts';
import { bearerAuth } from '../plugins/auth.ts';

const FeedbackBody = Type.Object({
  request_id: Type.String({ minLength: 1, maxLength: 64, description: 'The x-yumen-request-id of the rated response' }),
  rating: Type.Union([Type.Literal(1), Type.Literal(-1)]),
  correction: Type.Optional(Type.Union([Type.String({ maxLength: 32_000 }), Type.Null()])),
  comment: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Null()])),
}, { additionalProperties: false });

/** POST /v1/feedback with the department's API key: a rating (and correction) on a captured exchange. */
export function feedbackRoutes(opts: { service: FeedbackService; authenticator: KeyAuthenticator; audit?: AuditSink }) {
  return async function feedbackPlugin(app: FastifyInstance): Promise<void> {
    const audit = opts.audit;
    // Feedback changes training data: every attempt is in the audit trail, durable before the response is sent.
    if (audit) {
      app.addHook('onSend', async (request, reply, payload) => {
        if (request.routeOptions.url !== '/v1/feedback') return payload;
        await audit.record({
          requestId: request.id, time: Date.now(), actor: request.principal?.keyId ?? null, tenantId: request.principal?.tenantId ?? '',
          action: 'api.feedback', model: null, zone: null, level: 'public', findings: {}, decision: reply.statusCode < 400 ? 'allow' : 'deny',
          status: reply.statusCode, errorCode: reply.statusCode < 400 ? null : /"code":"([a-z_]+)"/.exec(String(payload))?.[1] ?? null,
          promptTokens: 0, completionTokens: 0, latencyMs: reply.elapsedTime,
        });
        return payload;
      });
    }
    app.post<{ Body: Static<typeof FeedbackBody> }>('/v1/feedback', { preHandler: bearerAuth(opts.authenticator), schema: { body: FeedbackBody } }, async (request, reply) => {
      const f = await opts.service.give(request.principal!, request.body);
      return reply.code(201).send({
        object: 'feedback', request_id: f.requestId, rating: f.rating, has_correction: f.correction !== null, has_comment: f.comment !== null, updated_at: f.updatedAt,
      });
    });
  };
}
