import { randomUUID } from 'node:crypto';
import {
  UpstreamError,
  type CallContext, type ChatCompletion, type ChatCompletionChunk, type ChatRequest, type EmbeddingsRequest,
  type EmbeddingsResponse, type ModelHandle, type ModelRegistry, type ServedBy, type Zone,
} from '../providers/index.ts';
import { YumenError, yumenError } from '../util/errors.ts';
import type { GatewayMetrics } from './metrics.ts';
import { mayUseModel, type Principal } from '../governance/index.ts';
import type { UsageWriter } from './usage-writer.ts';
import type { UsageRecord } from '../store/index.ts';

/** What the server needs to set the x-yumen-* headers. */
export interface CallMeta {
  requestId: string;
  route: Zone;
  level: string;
  redactions: number;
  model: string;
  backend: string | null;
}

export type ChatOutcome =
  | { kind: 'json'; body: ChatCompletion; meta: CallMeta }
  | { kind: 'stream'; chunks: AsyncIterable<ChatCompletionChunk>; meta: CallMeta };

export interface ModelInfo { id: string; object: 'model'; created: number; owned_by: string; zone: Zone }

export interface GatewayDeps {
  registry: ModelRegistry;
  metrics: GatewayMetrics;
  usage: UsageWriter;
  /** Seconds since epoch reported as `created` in /v1/models. */
  startedAt?: number;
}

/**
 * The request pipeline of DESIGN.md: the only module that orchestrates the others.
 * Steps run in one direction: resolve → call → record.
 */
export class Gateway {
  readonly #deps: GatewayDeps;
  readonly #created: number;

  constructor(deps: GatewayDeps) {
    this.#deps = deps;
    this.#created = deps.startedAt ?? Math.floor(Date.now() / 1000);
  }

  listModels(principal: Principal): ModelInfo[] {
    return this.#deps.registry.list()
      .filter((m) => mayUseModel(principal, m.name))
      .map((m) => ({ id: m.name, object: 'model', created: this.#created, owned_by: `yumen:${m.provider}`, zone: m.zone }));
  }

  async chat(principal: Principal, request: ChatRequest, ctx: CallContext): Promise<ChatOutcome> {
    const started = performance.now();
    const target = this.#resolve(principal, request.model, 'chat');
    const meta: CallMeta = { requestId: ctx.requestId, route: target.zone, level: 'public', redactions: 0, model: target.name, backend: null };
    const record = this.#newRecord(principal, ctx.requestId, 'chat', target, request.stream === true);
    try {
      if (request.stream) {
        const upstreamStarted = performance.now();
        const { stream, servedBy } = await target.chatStream(request, ctx);
        this.#served(meta, record, servedBy, upstreamStarted);
        return { kind: 'stream', chunks: this.#observeStream(stream, record, meta, started), meta };
      }
      const upstreamStarted = performance.now();
      const { completion, servedBy } = await target.chat(request, ctx);
      this.#served(meta, record, servedBy, upstreamStarted);
      this.#countTokens(record, completion.usage);
      this.#finish(record, meta, started, 200, null);
      return { kind: 'json', body: completion, meta };
    } catch (err) {
      const mapped = toClientError(err);
      this.#finish(record, meta, started, mapped.status, mapped.code);
      throw mapped;
    }
  }

  async embeddings(principal: Principal, request: EmbeddingsRequest, ctx: CallContext): Promise<{ body: EmbeddingsResponse; meta: CallMeta }> {
    const started = performance.now();
    const target = this.#resolve(principal, request.model, 'embeddings');
    const meta: CallMeta = { requestId: ctx.requestId, route: target.zone, level: 'public', redactions: 0, model: target.name, backend: null };
    const record = this.#newRecord(principal, ctx.requestId, 'embeddings', target, false);
    try {
      const upstreamStarted = performance.now();
      const { response, servedBy } = await target.embeddings(request, ctx);
      this.#served(meta, record, servedBy, upstreamStarted);
      record.promptTokens = response.usage?.prompt_tokens ?? 0;
      this.#finish(record, meta, started, 200, null);
      return { body: response, meta };
    } catch (err) {
      const mapped = toClientError(err);
      this.#finish(record, meta, started, mapped.status, mapped.code);
      throw mapped;
    }
  }

  #resolve(principal: Principal, name: string, kind: 'chat' | 'embeddings'): ModelHandle {
    const target = this.#deps.registry.get(name);
    if (!target || !mayUseModel(principal, name)) {
      // An unknown model and a model this key may not see answer alike, so keys cannot probe the catalogue.
      throw yumenError('model_not_found', `The model "${name}" does not exist or you do not have access to it. / 模型 "${name}" 不存在或无权使用。`, { param: 'model' });
    }
    if (!target.capabilities[kind]) {
      throw yumenError('invalid_request', `The model "${name}" does not serve ${kind === 'chat' ? 'chat completions' : 'embeddings'}.`, { param: 'model' });
    }
    return target;
  }

  #newRecord(principal: Principal, requestId: string, endpoint: string, target: ModelHandle, stream: boolean): UsageRecord {
    return {
      id: requestId, createdAt: Date.now(), tenantId: principal.tenantId, keyId: principal.keyId, endpoint, model: target.name,
      backend: null, zone: target.zone, stream, status: 0, errorCode: null, promptTokens: 0, completionTokens: 0, latencyMs: 0,
      level: 'public', decision: 'allow', redactions: 0, findings: null,
    };
  }

  #served(meta: CallMeta, record: UsageRecord, servedBy: ServedBy, upstreamStarted: number): void {
    meta.backend = record.backend = servedBy.backend;
    this.#deps.metrics.upstreamLatency.observe({ model: servedBy.model, backend: servedBy.backend }, (performance.now() - upstreamStarted) / 1000);
  }

  #countTokens(record: UsageRecord, usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined): void {
    if (!usage) return;
    record.promptTokens = usage.prompt_tokens ?? record.promptTokens;
    record.completionTokens = usage.completion_tokens ?? record.completionTokens;
  }

  async *#observeStream(stream: AsyncIterable<ChatCompletionChunk>, record: UsageRecord, meta: CallMeta, started: number): AsyncGenerator<ChatCompletionChunk> {
    let status = 499; // stays so only when the server stops iterating because the client left
    let code: string | null = 'client_closed';
    try {
      for await (const chunk of stream) {
        if (chunk.usage) this.#countTokens(record, chunk.usage);
        yield chunk;
      }
      status = 200;
      code = null;
    } catch (err) {
      const mapped = toClientError(err);
      status = mapped.status;
      code = mapped.code;
      throw mapped;
    } finally {
      this.#finish(record, meta, started, status, code);
    }
  }

  #finish(record: UsageRecord, meta: CallMeta, started: number, status: number, code: string | null): void {
    if (record.status !== 0) return;
    const { metrics, usage } = this.#deps;
    record.status = status;
    record.errorCode = code;
    record.latencyMs = performance.now() - started;
    record.level = meta.level;
    record.redactions = meta.redactions;
    usage.add(record);
    metrics.requests.inc({ endpoint: record.endpoint, model: record.model, zone: record.zone ?? '', status });
    metrics.latency.observe({ endpoint: record.endpoint, model: record.model }, record.latencyMs / 1000);
    if (record.promptTokens) metrics.tokens.inc({ model: record.model, zone: record.zone ?? '', kind: 'prompt' }, record.promptTokens);
    if (record.completionTokens) metrics.tokens.inc({ model: record.model, zone: record.zone ?? '', kind: 'completion' }, record.completionTokens);
    if (code) metrics.errors.inc({ code });
  }
}

/** Upstream failures become the client-facing error catalogue; anything else is already a YumenError or a bug. */
export function toClientError(err: unknown): YumenError {
  if (err instanceof YumenError) return err;
  if (err instanceof UpstreamError) {
    switch (err.kind) {
      case 'timeout':
        return yumenError('upstream_timeout', `The model backend did not answer in time: ${err.message}`, { cause: err });
      case 'connect':
        return yumenError('upstream_unavailable', `No backend of the model could be reached: ${err.message}`, { cause: err });
      case 'aborted':
        return yumenError('upstream_error', 'The request was cancelled.', { cause: err, status: 499 });
      case 'client': {
        // The upstream judged the request itself wrong (e.g. an unsupported parameter): pass its words on as a 400.
        const upstreamMsg = upstreamMessage(err.body) ?? err.message;
        return yumenError('invalid_request', `The model backend rejected the request: ${upstreamMsg}`, { cause: err, status: err.status && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403 ? err.status : 400 });
      }
      case 'rate_limited':
        return yumenError('upstream_error', 'Every backend of the model is rate-limited; retry later.', { cause: err, status: 429, headers: { 'retry-after': '1' } });
      default:
        return yumenError('upstream_error', `The model backend failed: ${err.message}`, { cause: err });
    }
  }
  return yumenError('internal_error', 'Internal error.', { cause: err });
}

function upstreamMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const e = (body as { error?: unknown }).error;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof e === 'string') return e;
  }
  return undefined;
}

export function newRequestId(): string {
  return `req_${randomUUID().replaceAll('-', '')}`;
}
