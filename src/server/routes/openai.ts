import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallMeta, Gateway } from '../../gateway/index.ts';
import type { KeyAuthenticator } from '../../governance/index.ts';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest } from '../../providers/index.ts';
import { toErrorBody, yumenError, type OpenAIErrorBody } from '../../util/errors.ts';
import { MAX_BODY_DEPTH, exceedsDepth } from '../../gateway/index.ts';
import { bearerAuth } from '../plugins/auth.ts';
import { toYumenError } from '../plugins/errors.ts';
import { ChatRequestSchema, EmbeddingsRequestSchema } from '../schemas/openai.ts';
import type { InFlight } from '../in-flight.ts';
import { responsesRoutes } from './responses.ts';
import { completionsRoutes } from './completions.ts';

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
  // Before schema validation: a body nested deeper than any API shape is a client mistake (400), not a stack overflow.
  app.addHook('preValidation', async (request) => {
    if (exceedsDepth(request.body)) throw yumenError('invalid_request', `The request body is nested more than ${MAX_BODY_DEPTH} levels deep. / 请求体嵌套层级超过 ${MAX_BODY_DEPTH} 层。`);
  });

  app.get('/v1/models', async (request) => ({ object: 'list', data: await gateway.listModels(request.principal!) }));

  app.get<{ Params: { id: string } }>('/v1/models/:id', async (request, reply) => {
    const model = (await gateway.listModels(request.principal!)).find((m) => m.id === request.params.id);
    if (model) return model;
    // An unknown model and one this key may not see answer alike (as chat does), so keys cannot probe.
    throw yumenError('model_not_found', `The model "${request.params.id}" does not exist or you do not have access to it. / 模型 "${request.params.id}" 不存在或无权使用。`, { param: 'model' });
  });

  app.post<{ Body: ChatRequest }>('/v1/chat/completions', { schema: { body: ChatRequestSchema } }, async (request, reply) =>
    serveChat(request, reply, request.body, opts, (completion) => completion, () => ({ items: (chunks) => chunks, format: DATA_SSE })));

  // The Responses API and legacy Completions: translated to chat, behind the same authentication.
  await app.register(responsesRoutes, opts);
  await app.register(completionsRoutes, opts);

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

/** How one streamed call is written: its items from the gateway's chat chunks, and their SSE format. */
export interface StreamShape<T> {
  items(chunks: AsyncIterable<ChatCompletionChunk>): AsyncIterable<T>;
  format: SSEFormat<T>;
}

/**
 * Runs a chat request through the gateway and answers it: `json` shapes a whole (restored) completion,
 * `stream` makes the shape of a streamed one. Every chat-backed endpoint answers through here.
 */
export async function serveChat<T>(
  request: FastifyRequest, reply: FastifyReply, chat: ChatRequest, opts: Pick<OpenAIRoutesOptions, 'gateway' | 'inFlight'>,
  json: (completion: ChatCompletion) => unknown, stream: () => StreamShape<T>,
): Promise<unknown> {
  const { gateway, inFlight } = opts;
  const abort = inFlight.begin(request, reply);
  let handedToStream = false;
  try {
    const outcome = await gateway.chat(request.principal!, chat, { signal: abort.signal, requestId: request.id });
    setMetaHeaders(reply, outcome.meta);
    if (outcome.kind === 'json') return json(outcome.body);
    handedToStream = true;
    const shape = stream();
    return streamSSE(request, reply, shape.items(outcome.chunks), abort, inFlight, shape.format);
  } finally {
    if (!handedToStream) inFlight.end(request);
  }
}

/** How a stream is written: each item as an SSE event, the closing line (if any), an error after the first byte. */
export interface SSEFormat<T> {
  event(item: T): string;
  done: string | null;
  error(body: OpenAIErrorBody): string;
}

/** Each item as a `data:` line, closed by `[DONE]`: chat and legacy completion streams. */
export const DATA_SSE: SSEFormat<object> = {
  event: (chunk) => `data: ${JSON.stringify(chunk)}\n\n`,
  done: 'data: [DONE]\n\n',
  error: (body) => `data: ${JSON.stringify(body)}\n\n`,
};

/**
 * Writes an OpenAI server-sent-event stream. Once the first byte is out, an error can only be reported
 * in-band (an `error` event, as OpenAI does) and the stream closed; a client that leaves aborts the upstream.
 */
export async function streamSSE<T>(request: FastifyRequest, reply: FastifyReply, items: AsyncIterable<T>, abort: AbortController, inFlight: InFlight, format: SSEFormat<T>): Promise<FastifyReply> {
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
    for await (const item of items) {
      if (abort.signal.aborted) break;
      if (!res.write(format.event(item))) await waitDrain(res, abort.signal);
    }
    if (!abort.signal.aborted && format.done !== null) res.write(format.done);
  } catch (err) {
    if (!abort.signal.aborted) {
      const mapped = toYumenError(err);
      request.log.warn({ code: mapped.code }, 'stream failed after the first byte');
      res.write(format.error(toErrorBody(mapped)));
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
