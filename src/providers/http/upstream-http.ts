/**
 * One HTTP call to an upstream over undici, with the four per-model timeouts and cancellation:
 * connect (the Pool's connect timeout), first byte (headersTimeout), idle between body chunks
 * (bodyTimeout) and total (a timer that aborts the request). Every failure becomes an UpstreamError.
 */
import { Pool, type Dispatcher } from 'undici';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { UpstreamError } from '../types.ts';
import type { CallContext } from '../types.ts';
import type { ResolvedTimeouts } from '../backend.ts';

export interface HttpTarget {
  readonly origin: string;
  /** Path prefix from base_url, without a trailing slash (e.g. `/v1`). */
  readonly basePath: string;
  readonly label: string;
  readonly dispatcher: Dispatcher;
  readonly timeouts: ResolvedTimeouts;
  /** True when the dispatcher belongs to this target and must be destroyed with it. */
  readonly ownsDispatcher: boolean;
}

export function createHttpTarget(baseUrl: string, timeouts: ResolvedTimeouts, shared?: Dispatcher): HttpTarget {
  const url = new URL(baseUrl);
  const dispatcher = shared ?? new Pool(url.origin, {
    connect: { timeout: timeouts.connectMs },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: timeouts.firstByteMs,
    bodyTimeout: timeouts.idleMs,
  });
  return {
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    label: url.host,
    dispatcher,
    timeouts,
    ownsDispatcher: shared === undefined,
  };
}

export async function closeHttpTarget(t: HttpTarget): Promise<void> {
  if (t.ownsDispatcher) await t.dispatcher.destroy();
}

/** A live upstream response. `finish()` must be called once (idempotent): it clears the timers and listeners. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable & { text(): Promise<string> };
  /** Maps an error raised while reading the body to an UpstreamError. */
  mapError(err: unknown): UpstreamError;
  finish(): void;
}

/**
 * One call's cancellation, passed to undici as its signal (undici takes an EventEmitter with `aborted` and
 * `reason` as well as an AbortSignal): it aborts on the client's signal or the total timeout. An
 * AbortController would cost about ten times as much to create, on every upstream call.
 */
class CallState extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  timedOut = false;
  timer: NodeJS.Timeout | undefined;
  ctxSignal: AbortSignal;
  /** Starts listening to the client's signal and the total timeout; finish() stops both. */
  constructor(ctxSignal: AbortSignal, totalMs: number) {
    super();
    this.ctxSignal = ctxSignal;
    ctxSignal.addEventListener('abort', this, { once: true });
    this.timer = setTimeout(onTotalTimeout.bind(this), totalMs);
  }
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
  /** The client's signal aborted (the state listens to it as an EventListener object: no closure a call). */
  handleEvent(): void {
    this.abort();
  }
  finish(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.ctxSignal.removeEventListener('abort', this);
  }
}

function onTotalTimeout(this: CallState): void {
  this.timedOut = true;
  this.abort();
}

/** What upstreamRequest resolves with: the response and the call's state, which finish() releases. */
class LiveResponse implements UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: UpstreamResponse['body'];
  readonly #state: CallState;
  readonly #target: HttpTarget;
  constructor(res: Dispatcher.ResponseData, state: CallState, target: HttpTarget) {
    this.status = res.statusCode;
    this.headers = res.headers;
    this.body = res.body as unknown as UpstreamResponse['body'];
    this.#state = state;
    this.#target = target;
  }
  mapError(err: unknown): UpstreamError {
    return classifyError(err, this.#state, this.#target);
  }
  finish(): void {
    this.#state.finish();
  }
}

/** What every upstream call sends, with the target's first-byte and idle timeouts. */
function requestOptions(t: HttpTarget, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | undefined): Dispatcher.DispatchOptions {
  return { origin: t.origin, path, method, headers, body, headersTimeout: t.timeouts.firstByteMs, bodyTimeout: t.timeouts.idleMs };
}

function notSent(t: HttpTarget): UpstreamError {
  return new UpstreamError('aborted', 'request cancelled before it was sent', { backend: t.label });
}

/**
 * Sends a request; resolves with the response once headers arrived (any status). Non-2xx statuses are
 * turned into UpstreamErrors by {@link readErrorResponse}; the caller decides.
 */
export async function upstreamRequest(
  t: HttpTarget, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | undefined, ctx: CallContext,
): Promise<UpstreamResponse> {
  if (ctx.signal.aborted) throw notSent(t);
  const state = new CallState(ctx.signal, t.timeouts.totalMs);
  let res: Dispatcher.ResponseData;
  try {
    res = await t.dispatcher.request({ ...requestOptions(t, method, path, headers, body), signal: state });
  } catch (err) {
    state.finish();
    throw classifyError(err, state, t);
  }
  return new LiveResponse(res, state, t);
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
]);

function errCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  if (e && typeof e.code === 'string') {
    if (e.code === 'UND_ERR_SOCKET' && e.cause && typeof e.cause.code === 'string') return e.cause.code;
    return e.code;
  }
  return undefined;
}

function classifyError(err: unknown, state: CallState, t: HttpTarget): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const backend = t.label;
  if (state.ctxSignal.aborted) return new UpstreamError('aborted', 'request cancelled by the client', { backend, cause: err });
  if (state.timedOut) return new UpstreamError('timeout', `upstream ${backend} exceeded the total timeout of ${t.timeouts.totalMs} ms`, { backend, cause: err });
  const code = errCode(err);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new UpstreamError('timeout', `could not connect to ${backend} within ${t.timeouts.connectMs} ms`, { backend, cause: err });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new UpstreamError('timeout', `upstream ${backend} sent no response within ${t.timeouts.firstByteMs} ms`, { backend, cause: err });
    case 'UND_ERR_BODY_TIMEOUT':
      return new UpstreamError('timeout', `upstream ${backend} went silent for ${t.timeouts.idleMs} ms`, { backend, cause: err });
    default:
      break;
  }
  if (code !== undefined && CONNECT_CODES.has(code)) {
    return new UpstreamError('connect', `upstream ${backend} unreachable or closed the connection (${code})`, { backend, cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new UpstreamError('protocol', `upstream ${backend} failed: ${msg}`, { backend, cause: err });
}

/** Reads a non-2xx response body and classifies it: 429 → rate_limited, 5xx → server, other → client. */
export async function readErrorResponse(res: UpstreamResponse, label: string): Promise<UpstreamError> {
  let text = '';
  try {
    text = await res.body.text();
  } catch {
    // the error body itself is optional
  } finally {
    res.finish();
  }
  return errorFromBody(res.status, text, label);
}

/** The UpstreamError for a non-2xx status and its body (the upstream's own message when it gave one). */
function errorFromBody(status: number, text: string, label: string): UpstreamError {
  let body: unknown = text;
  let detail = text.slice(0, 300);
  try {
    body = JSON.parse(text);
    const e = (body as { error?: unknown; message?: unknown }) ?? {};
    const m = typeof e.error === 'object' && e.error !== null ? (e.error as { message?: unknown }).message
      : typeof e.error === 'string' ? e.error : e.message;
    if (typeof m === 'string') detail = m;
  } catch {
    // not JSON: keep the text
  }
  const kind = status === 429 ? 'rate_limited' : status >= 500 ? 'server' : status === 408 ? 'timeout' : 'client';
  return new UpstreamError(kind, `upstream ${label} answered ${status}${detail ? `: ${detail}` : ''}`, { status, backend: label, body });
}

function parseJsonBody(status: number, text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError('protocol', `upstream ${label} answered invalid JSON: ${text.slice(0, 120)}`, { backend: label, status });
  }
}

/**
 * Collects a whole response body for upstreamJson: undici hands the chunks straight to it, with no stream
 * object between (a Readable and its events cost more than the JSON they carry on a short reply).
 */
class CollectingHandler implements Dispatcher.DispatchHandler {
  status = 0;
  readonly #chunks: Buffer[] = [];
  readonly #state: CallState;
  readonly #target: HttpTarget;
  readonly #label: string;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (err: unknown) => void;
  #controller: Dispatcher.DispatchController | null = null;
  constructor(state: CallState, target: HttpTarget, label: string, resolve: (value: unknown) => void, reject: (err: unknown) => void) {
    this.#state = state;
    this.#target = target;
    this.#label = label;
    this.#resolve = resolve;
    this.#reject = reject;
    state.on('abort', () => this.#controller?.abort(new Error('upstream call aborted')));
  }
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#state.aborted) controller.abort(new Error('upstream call aborted'));
  }
  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }
  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }
  onResponseEnd(): void {
    this.#state.finish();
    const text = this.#chunks.length === 1 ? this.#chunks[0].toString('utf8') : Buffer.concat(this.#chunks).toString('utf8');
    try {
      if (this.status < 200 || this.status >= 300) throw errorFromBody(this.status, text, this.#label);
      this.#resolve(parseJsonBody(this.status, text, this.#label));
    } catch (err) {
      this.#reject(err);
    }
  }
  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#state.finish();
    this.#reject(classifyError(err, this.#state, this.#target));
  }
}

/**
 * A call whose whole answer is one JSON document: resolves with it parsed; a non-2xx status becomes the
 * UpstreamError readErrorResponse would give, an unreadable body UpstreamError('protocol'). Same timeouts and
 * cancellation as upstreamRequest.
 */
export function upstreamJson(
  t: HttpTarget, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | undefined, ctx: CallContext, label: string,
): Promise<unknown> {
  if (ctx.signal.aborted) return Promise.reject(notSent(t));
  const state = new CallState(ctx.signal, t.timeouts.totalMs);
  return new Promise((resolve, reject) => {
    const handler = new CollectingHandler(state, t, label, resolve, reject);
    try {
      t.dispatcher.dispatch(requestOptions(t, method, path, headers, body), handler);
    } catch (err) {
      state.finish();
      reject(classifyError(err, state, t));
    }
  });
}

/** Reads and parses a JSON success body; garbage becomes UpstreamError('protocol'). */
export async function readJson(res: UpstreamResponse, label: string): Promise<unknown> {
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw res.mapError(err);
  } finally {
    res.finish();
  }
  return parseJsonBody(res.status, text, label);
}

/** Ends a response the consumer no longer wants: clears timers; an unfinished body is destroyed (aborting the upstream request). */
export function releaseResponse(res: UpstreamResponse): void {
  res.finish();
  if (!res.body.readableEnded && !res.body.destroyed) res.body.destroy();
}
