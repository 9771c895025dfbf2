/**
 * A real HTTP server (node:http on 127.0.0.1, random port) that speaks enough of the OpenAI API for
 * tests: `/v1/chat/completions` (JSON and SSE), `/v1/embeddings`, `/v1/models`. It records every request
 * and can be scripted per request with statuses, garbage, delays, hangs and dropped sockets.
 *
 * @example
 * const up = await startMockUpstream();
 * up.enqueue({ status: 503 });                       // the next request fails once
 * up.enqueue({ stream: ['Hel', 'lo'] });             // then a two-piece stream
 * // point a model at up.baseUrl ('http://127.0.0.1:PORT/v1'), call it, then:
 * assert.equal(up.requests.length, 2);
 * await up.close();
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One recorded request. `body` is parsed JSON when it was JSON, else the raw text. */
export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/chat/completions?api-version=2024-10-21`. */
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** True when the client went away before the reply was complete. */
  aborted: boolean;
}

/**
 * How to answer one request. Everything is optional: an empty reply gives the default behaviour
 * (a completion or stream of `content`, honouring `stream` and `stream_options.include_usage`).
 */
export interface MockReply {
  /** HTTP status (default 200). Non-2xx without `json`/`body` sends an OpenAI-style error body. */
  status?: number;
  headers?: Record<string, string>;
  /** Send exactly this JSON body. */
  json?: unknown;
  /** Send exactly this raw body (e.g. garbage). */
  body?: string;
  /** Reply text for the default completion / stream (default `"Hello from mock"`). */
  content?: string;
  /** Force a stream of these content pieces, whatever the request said. */
  stream?: string[];
  /** Raw SSE events: objects are sent as `data: JSON`, strings written verbatim (include your own `\n\n`). */
  sse?: Array<object | string>;
  /** Append `data: [DONE]` after `stream`/`sse` (default true). */
  done?: boolean;
  /** Wait before sending headers. */
  delayMs?: number;
  /** Wait between stream events. */
  chunkDelayMs?: number;
  /** Never answer (the request hangs until the client gives up). */
  hang?: boolean;
  /** After this many stream events, stop writing but keep the socket open. */
  stallAfter?: number;
  /** Destroy the socket: before any byte, or after this many stream events. */
  destroy?: 'before-headers' | number;
  /** Custom handler: full control over the response. */
  handle?: (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;
}

export interface MockUpstream {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `http://127.0.0.1:PORT/v1` — what an OpenAI-compatible base_url points at. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** One-shot replies used in order before falling back to the default reply. */
  enqueue(...replies: MockReply[]): void;
  /** The reply (or function of the request) used when the queue is empty. */
  setDefault(reply: MockReply | ((req: RecordedRequest) => MockReply)): void;
  /** Resolves once `n` requests in total have been received. */
  waitForRequests(n: number): Promise<void>;
  /** Resolves once `n` requests in total were aborted by the client. */
  waitForAborts(n: number): Promise<void>;
  close(): Promise<void>;
}

export interface MockUpstreamOptions {
  /** Model id the default replies report (default: the request's `model`). */
  model?: string;
  /** Embedding dimensions for the default embeddings reply (default 8). */
  dimensions?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Splits text into small pieces, as a model streaming tokens would. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

/** An OpenAI chat completion body. */
export function chatCompletionBody(content: string, model: string, id = 'chatcmpl-mock'): Record<string, unknown> {
  const completion = Math.max(1, pieces(content).length);
  return {
    id, object: 'chat.completion', created: 1_700_000_000, model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 5, completion_tokens: completion, total_tokens: 5 + completion },
  };
}

/** The SSE chunk objects of a streamed completion (without `[DONE]`). */
export function chatChunkBodies(parts: string[], model: string, includeUsage: boolean, id = 'chatcmpl-mock'): object[] {
  const base = { id, object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const out: object[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
  for (const p of parts) out.push({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] });
  out.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  if (includeUsage) out.push({ ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: parts.length, total_tokens: 5 + parts.length } });
  return out;
}

export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const queue: MockReply[] = [];
  let fallback: MockReply | ((req: RecordedRequest) => MockReply) = {};
  const sockets = new Set<Socket>();
  const waiters: Array<() => void> = [];
  let aborts = 0;
  const notify = (): void => { for (const w of waiters.splice(0)) w(); };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any = text;
      try { body = text ? JSON.parse(text) : undefined; } catch { /* keep raw */ }
      const rec: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, aborted: false };
      requests.push(rec);
      res.on('close', () => {
        if (!res.writableFinished) { rec.aborted = true; aborts++; notify(); }
      });
      notify();
      const reply = queue.length > 0 ? queue.shift() as MockReply : typeof fallback === 'function' ? fallback(rec) : fallback;
      respond(rec, reply, req, res).catch(() => res.destroy());
    });
  });

  async function respond(rec: RecordedRequest, r: MockReply, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (r.delayMs) await sleep(r.delayMs);
    if (r.hang) return;
    if (r.destroy === 'before-headers') { req.socket.destroy(); return; }
    if (r.handle) { await r.handle(rec, res); return; }
    const status = r.status ?? 200;
    const headers = r.headers ?? {};
    if (r.body !== undefined || r.json !== undefined) {
      const payload = r.body ?? JSON.stringify(r.json);
      res.writeHead(status, { 'content-type': r.body !== undefined ? 'text/plain' : 'application/json', ...headers });
      res.end(payload);
      return;
    }
    if (status < 200 || status >= 300) {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ error: { message: `mock error ${status}`, type: 'mock_error', code: String(status) } }));
      return;
    }
    const model = opts.model ?? (typeof rec.body?.model === 'string' ? rec.body.model : 'mock-model');
    if (rec.path.startsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'mock' }] }));
      return;
    }
    if (rec.path.includes('/embeddings')) {
      const inputs: unknown[] = Array.isArray(rec.body?.input) ? rec.body.input : [rec.body?.input];
      const dims = opts.dimensions ?? 8;
      const data = inputs.map((inp, index) => ({
        object: 'embedding', index,
        embedding: Array.from({ length: dims }, (_, k) => ((String(inp).length + k) % 7) / 7),
      }));
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } }));
      return;
    }
    const content = r.content ?? 'Hello from mock';
    const wantsStream = r.stream !== undefined || r.sse !== undefined || rec.body?.stream === true;
    if (!wantsStream) {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(chatCompletionBody(content, model)));
      return;
    }
    const events: Array<object | string> = r.sse ?? chatChunkBodies(r.stream ?? pieces(content), model, rec.body?.stream_options?.include_usage === true);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    res.flushHeaders();
    for (let i = 0; i < events.length; i++) {
      if (r.destroy === i) { req.socket.destroy(); return; }
      if (r.stallAfter === i) return;
      if (r.chunkDelayMs && i > 0) await sleep(r.chunkDelayMs);
      if (res.destroyed) return;
      const ev = events[i];
      res.write(typeof ev === 'string' ? ev : `data: ${JSON.stringify(ev)}\n\n`);
    }
    if (r.destroy === events.length) { req.socket.destroy(); return; }
    if (r.stallAfter === events.length) return;
    if (r.done !== false) res.write('data: [DONE]\n\n');
    res.end();
  }

  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const waitFor = (cond: () => boolean): Promise<void> => new Promise((resolve) => {
    const check = (): void => { if (cond()) resolve(); else waiters.push(check); };
    check();
  });

  return {
    url,
    baseUrl: `${url}/v1`,
    port,
    requests,
    enqueue: (...replies) => { queue.push(...replies); },
    setDefault: (r) => { fallback = r; },
    waitForRequests: (n) => waitFor(() => requests.length >= n),
    waitForAborts: (n) => waitFor(() => aborts >= n),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
