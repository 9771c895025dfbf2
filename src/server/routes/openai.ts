import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallMeta, ChatOutcome, Gateway } from '../../gateway/index.ts';
import type { KeyAuthenticator } from '../../governance/index.ts';
import type { ChatRequest, EmbeddingsRequest } from '../../providers/index.ts';
import { toErrorBody } from '../../util/errors.ts';
import { bearerAuth } from '../plugins/auth.ts';
import { toYumenError } from '../plugins/errors.ts';
import { ChatRequestSchema, EmbeddingsRequestSchema } from '../schemas/openai.ts';
import type { InFlight } from '../in-flight.ts';

export interface OpenAIRoutesOptions {
  gateway: Gateway;
  authenticator: KeyAuthenticator;
  inFlight: InFlight;
}

export function setMetaHeaders(reply: FastifyReply, meta: CallMeta): void {
  reply.header('x-yumen-route', meta.route);
  reply.header('x-yumen-level', meta.level);
  reply.header('x-yumen-redactions', String(meta.redactions));
  reply.header('x-yumen-model', meta.model);
}

export async function openAIRoutes(app: FastifyInstance, opts: OpenAIRoutesOptions): Promise<void> {
  const { gateway, inFlight } = opts;
  app.addHook('preHandler', bearerAuth(opts.authenticator));

  app.get('/v1/models', async (request) => ({ object: 'list', data: await gateway.listModels(request.principal!) }));

  app.get<{ Params: { id: string } }>('/v1/models/:id', async (request, reply) => {
    const model = (await gateway.listModels(request.principal!)).find((m) => m.id === request.params.id);
    if (model) return model;
    return reply.callNotFound();
  });

  app.post<{ Body: ChatRequest }>('/v1/chat/completions', { schema: { body: ChatRequestSchema } }, async (request, reply) => {
    const abort = inFlight.begin(request, reply);
    let handedToStream = false;
    try {
      const outcome = await gateway.chat(request.principal!, request.body, { signal: abort.signal, requestId: request.id });
      setMetaHeaders(reply, outcome.meta);
      if (outcome.kind === 'json') return outcome.body;
      handedToStream = true;
      return streamSSE(request, reply, outcome, abort, inFlight);
    } finally {
      if (!handedToStream) inFlight.end(request);
    }
  });

  app.post<{ Body: EmbeddingsRequest }>('/v1/embeddings', { schema: { body: EmbeddingsRequestSchema } }, async (request, reply) => {
    const abort = inFlight.begin(request, reply);
    try {
      const { body, meta } = await gateway.embeddings(request.principal!, request.body, { signal: abort.signal, requestId: request.id });
      setMetaHeaders(reply, meta);
      return body;
    } finally {
      inFlight.end(request);
    }
  });
}

/**
 * Writes an OpenAI server-sent-event stream. Once the first byte is out, an error can only be reported
 * in-band (an `error` event, as OpenAI does) and the stream closed; a client that leaves aborts the upstream.
 */
async function streamSSE(request: FastifyRequest, reply: FastifyReply, outcome: Extract<ChatOutcome, { kind: 'stream' }>, abort: AbortController, inFlight: InFlight): Promise<FastifyReply> {
  reply.hijack();
  const res = reply.raw;
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  };
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = String(v);
  res.writeHead(200, headers);
  try {
    for await (const chunk of outcome.chunks) {
      if (abort.signal.aborted) break;
      if (!res.write(`data: ${JSON.stringify(chunk)}\n\n`)) await waitDrain(res, abort.signal);
    }
    if (!abort.signal.aborted) res.write('data: [DONE]\n\n');
  } catch (err) {
    if (!abort.signal.aborted) {
      const mapped = toYumenError(err);
      request.log.warn({ code: mapped.code }, 'stream failed after the first byte');
      res.write(`data: ${JSON.stringify(toErrorBody(mapped))}\n\n`);
    }
  } finally {
    res.end();
    inFlight.end(request);
  }
  return reply;
}

function waitDrain(res: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
