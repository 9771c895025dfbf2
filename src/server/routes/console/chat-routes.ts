import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { CallMeta, Principal } from '../../../gateway/index.ts';
import { toErrorBody, yumenError } from '../../../util/errors.ts';
import { toYumenError } from '../../plugins/errors.ts';
import type { AdminContext } from '../admin/context.ts';
import type { ConsoleDeps } from './index.ts';

/** An attachment of 10 MB is ≈ 13.4 million characters of base64 in a data: URL; the server's body limit applies on top. */
const MAX_ATTACHMENT_CHARS = 14_000_000;
const Part = Type.Union([
  Type.Object({ type: Type.Literal('text'), text: Type.String({ maxLength: 200_000 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('image_url'), image_url: Type.Object({ url: Type.String({ maxLength: MAX_ATTACHMENT_CHARS }) }, { additionalProperties: false }) }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('file'),
    file: Type.Object({ filename: Type.String({ minLength: 1, maxLength: 255 }), file_data: Type.String({ maxLength: MAX_ATTACHMENT_CHARS }) }, { additionalProperties: false }),
  }, { additionalProperties: false }),
]);
/** A message's content: text, or text with the images and files attached to it (read and guarded by the gateway). */
const Content = Type.Union([Type.String({ maxLength: 200_000 }), Type.Array(Part, { minItems: 1, maxItems: 17 })]);
const Message = Type.Object({ role: Type.Union([Type.Literal('system'), Type.Literal('user'), Type.Literal('assistant')]), content: Content }, { additionalProperties: false });
const Body = Type.Object({
  department_id: Type.String({ minLength: 1, maxLength: 64 }),
  model: Type.String({ minLength: 1, maxLength: 200 }),
  messages: Type.Array(Message, { minItems: 1, maxItems: 200 }),
  knowledge_bases: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 16 })),
  variables: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4000 }), { description: 'Values of an app\'s {{variables}} (model "app:<slug>")' })),
}, { additionalProperties: false });
const DeptQuery = Type.Object({ department_id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

/** The messages of the body as the model received it (placeholders in place), or null when none was sent. */
function outboundMessages(body: unknown): Array<{ role: unknown; content: unknown }> | null {
  const messages = (body as { messages?: unknown } | undefined)?.messages;
  return Array.isArray(messages) ? messages.map((m: { role?: unknown; content?: unknown }) => ({ role: m.role, content: m.content })) : null;
}

/** What the "what left the domain" panel shows beside an answer. */
export function leftTheDomain(meta: CallMeta) {
  return {
    request_id: meta.requestId, route: meta.route, level: meta.level, redactions: meta.redactions, model: meta.model,
    outbound: outboundMessages(meta.outbound),
  };
}

/**
 * A console user chats as a member of one of their departments: the same gateway pipeline as an API
 * key of that department (guard, policy, limits, audit, usage), without a key. The organisation-wide
 * administrators hold no department and so do not chat here (三员 are not end users).
 */
export async function principalFor(ctx: AdminContext, request: FastifyRequest, departmentId: string): Promise<Principal> {
  const actor = request.actor;
  if (!actor) throw yumenError('unauthenticated', 'Sign in first (POST /api/auth/login). / 请先登录。');
  for (const r of actor.roles) {
    if (!r.tenantId) continue;
    if ((await ctx.departments.subtreeIds(r.tenantId)).has(departmentId)) {
      const dept = await ctx.departments.findById(departmentId);
      if (dept) return { tenantId: dept.id, tenantName: dept.name, keyId: null, allowedModels: null };
    }
  }
  throw yumenError('forbidden', 'Act as a member of a department you belong to. / 只能以所属部门成员身份操作。', { param: 'department_id' });
}

/**
 * GET /api/console/chat/models and POST /api/console/chat. The chat answers a server-sent-event stream of
 * OpenAI chunks, then one `{"yumen":{…}}` event with what left the domain (route, level, how many values
 * were pseudonymized and the messages exactly as the model received them), then `[DONE]`.
 */
export async function chatRoutes(app: FastifyInstance, { ctx, deps }: { ctx: AdminContext; deps: ConsoleDeps }): Promise<void> {
  app.get<{ Querystring: Static<typeof DeptQuery> }>('/console/chat/models', {
    schema: { tags: ['console'], summary: 'Models a department may chat with', querystring: DeptQuery },
  }, async (request) => {
    const principal = await principalFor(ctx, request, request.query.department_id);
    return { data: (await deps.gateway.listModels(principal)).map((m) => ({ id: m.id, zone: m.zone, ...(m.app ? { app: m.app } : {}) })) };
  });

  app.post<{ Body: Static<typeof Body> }>('/console/chat', {
    schema: { tags: ['console'], summary: 'Chat as a department member; streams the reply and what left the domain', body: Body },
  }, async (request, reply) => {
    const principal = await principalFor(ctx, request, request.body.department_id);
    request.auditTenant = principal.tenantId;
    const abort = new AbortController();
    request.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    const { department_id: _dept, ...chat } = request.body;
    const outcome = await deps.gateway.chat(principal, { ...chat, stream: true }, { signal: abort.signal, requestId: request.id });
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no',
      'x-yumen-request-id': request.id,
    });
    try {
      if (outcome.kind === 'json') {
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: outcome.body.choices[0]?.message.content ?? '' } }], yumen: outcome.body.yumen })}\n\n`);
      } else {
        for await (const chunk of outcome.chunks) {
          if (abort.signal.aborted) break;
          res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        }
      }
      if (!abort.signal.aborted) res.write(`data: ${JSON.stringify({ yumen_panel: leftTheDomain(outcome.meta) })}\n\ndata: [DONE]\n\n`);
    } catch (err) {
      if (!abort.signal.aborted) res.write(`data: ${JSON.stringify(toErrorBody(toYumenError(err)))}\n\n`);
    } finally {
      res.end();
    }
    return reply;
  });
}
