import { randomUUID } from 'node:crypto';
import { Vault, type Guard } from '../guard/index.ts';
import { chooseAutoModel, decide, type Decision, type Policy } from '../policy/index.ts';
import {
  UpstreamError, contentText,
  type CallContext, type ChatCompletion, type ChatCompletionChunk, type ChatRequest, type EmbeddingsRequest,
  type EmbeddingsResponse, type ModelHandle, type ModelRegistry, type Zone,
} from '../providers/index.ts';
import type { UsageRecord } from '../store/index.ts';
import { YumenError, withHeaders, yumenError } from '../util/errors.ts';
import { mayUseModel, type Principal } from '../governance/index.ts';
import { inspectBody, pseudonymizeBody, type Inspection } from './inspect.ts';
import { NO_ATTACHMENTS, type AttachmentScan } from './attachments.ts';
import { composeOutbound } from './outbound.ts';
import { CHAT_REQUEST_SHAPE, EMBEDDINGS_REQUEST_SHAPE } from './request-shape.ts';
import { blocked } from './refusal.ts';
import { retrievalScreen } from './retrieval-screen.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { AppCatalog, AuditSink, KnowledgePort, KnowledgeSource, Limiter, Permit, ResponseCache } from './ports.ts';
import { redactForStorage, type ConversationSink } from './conversation.ts';
import { StreamReplyTransformer, finishCompletion } from './reply.ts';
import type { TenantGuards } from './tenant-guards.ts';
import type { UsageWriter } from './usage-writer.ts';

/** What the server needs to set the x-yumen-* headers. */
export interface CallMeta {
  requestId: string;
  route: Zone;
  level: string;
  redactions: number;
  model: string;
  backend: string | null;
  /**
   * The body handed to the provider exactly as composed (placeholders in, unknown fields out for external
   * zones), for the console's "what left the domain" view. Never sent to API clients.
   */
  outbound?: unknown;
  /** JSON pointers of the fields dropped because Yumen does not know them (external zones only). */
  dropped?: string[];
}

export type ChatOutcome =
  | { kind: 'json'; body: ChatCompletion; meta: CallMeta }
  | { kind: 'stream'; chunks: AsyncIterable<ChatCompletionChunk>; meta: CallMeta };

export interface ModelInfo { id: string; object: 'model'; created: number; owned_by: string; zone: Zone; [extra: string]: unknown }

export interface GatewayDeps {
  registry: ModelRegistry;
  metrics: GatewayMetrics;
  usage: UsageWriter;
  guards: TenantGuards;
  limiter?: Limiter;
  audit?: AuditSink;
  cache?: ResponseCache;
  knowledge?: KnowledgePort;
  conversations?: ConversationSink;
  apps?: AppCatalog;
  /** Reads the files and images a request carries inline (attachments.ts); without it they are not read. */
  attachments?: { scan(tenantId: string, guard: Guard, body: unknown): Promise<AttachmentScan> };
  /** Models whose replies may be cached (`cache: true` in their config). */
  cacheableModels?: ReadonlySet<string>;
  startedAt?: number;
}

/** Fields of a chat body that are Yumen's own and never go upstream. */
const YUMEN_FIELDS = ['knowledge_bases'] as const;

/** Everything one call accumulates on its way through the pipeline (for headers, usage and audit). */
interface CallState {
  principal: Principal;
  endpoint: 'chat' | 'embeddings';
  started: number;
  meta: CallMeta;
  record: UsageRecord;
  findings: Record<string, number>;
  permit: Permit | null;
  done: boolean;
  /** The app slug when the call named `app:<slug>`. */
  app: string | null;
}

/**
 * The request pipeline of DESIGN.md and the only module that orchestrates the others:
 * resolve → inspect → decide → pseudonymize → limit → call → restore + output guard → record.
 */
export class Gateway {
  readonly #deps: GatewayDeps;
  readonly #created: number;

  constructor(deps: GatewayDeps) {
    this.#deps = deps;
    this.#created = deps.startedAt ?? Math.floor(Date.now() / 1000);
  }

  async listModels(principal: Principal): Promise<ModelInfo[]> {
    const models: ModelInfo[] = this.#deps.registry.list()
      .filter((m) => mayUseModel(principal, m.name))
      .map((m) => ({ id: m.name, object: 'model', created: this.#created, owned_by: `yumen:${m.provider}`, zone: m.zone }));
    for (const { id, ...app } of await this.#deps.apps?.modelsFor(principal) ?? []) {
      models.push({ id, object: 'model', created: this.#created, owned_by: 'yumen:app', zone: this.#deps.registry.get(app.model)?.zone ?? 'private', app });
    }
    return models;
  }

  async chat(principal: Principal, request: ChatRequest, ctx: CallContext): Promise<ChatOutcome> {
    const call = this.#begin(principal, 'chat', ctx.requestId, request.model, request.stream === true);
    try {
      // An app becomes an ordinary request here, so its prompt meets the same guard, policy, limits and audit.
      const app = await this.#deps.apps?.resolveChat(principal, request);
      if (app) ({ principal, request, app: call.app } = app);
      const { policy, guard, output } = await this.#deps.guards.for(principal);
      // Steps 2–3 before any model of any kind (chat, embedding, rerank) sees the question.
      let body = stripYumenFields(request);
      // What attachments hold is read once; retrieval adds text, never files.
      const attached = await this.#deps.attachments?.scan(principal.tenantId, guard, body) ?? NO_ATTACHMENTS;
      let inspection = this.#inspect(call, guard, body, attached);
      const requested = this.#resolve(principal, request.model === 'auto' ? chooseAutoModel(policy, inspection) ?? 'auto' : request.model, 'chat');
      const privateTarget = policy.privateModel ? this.#deps.registry.get(policy.privateModel) : undefined;
      let decision = decide(policy, requested, inspection, privateTarget);
      if (decision.action === 'block') throw this.#refuse(call, decision, inspection);
      // Step 4: retrieval for the inspected, allowed question; the passages join the prompt and are inspected with it.
      const sources = await this.#retrieve(principal, request, policy, guard, ctx);
      if (sources) {
        body = { ...body, messages: this.#deps.knowledge!.ground(body.messages, sources) };
        inspection = this.#inspect(call, guard, body, attached);
        decision = decide(policy, requested, inspection, privateTarget);
        if (decision.action === 'block') throw this.#refuse(call, decision, inspection);
      }
      this.#recordDecision(call, decision, inspection);
      const target = decision.rerouted ? this.#resolveRerouteTarget(decision.target) : requested;
      this.#route(call, target);

      // Step 5: the outbound body is composed from known fields (for external zones) and pseudonymized by the same walk that inspected it.
      const composed = composeOutbound(body, CHAT_REQUEST_SHAPE, target.zone);
      let outbound = composed.body;
      const vault = decision.action === 'pseudonymize' && decision.pseudonymize.size > 0 ? new Vault() : null;
      if (vault) {
        const p = pseudonymizeBody(outbound, inspection, decision.pseudonymize, vault);
        outbound = p.body;
        call.meta.redactions = call.record.redactions = p.redactions;
      }
      call.meta.outbound = outbound;
      call.meta.dropped = composed.dropped;
      const inputValues = inspection.values;
      const finalize = this.#finalizer(call, body, inspection, policy, guard, sources);

      const cacheable = !vault && !request.stream && this.#deps.cache !== undefined && this.#deps.cacheableModels?.has(target.name) === true;
      if (cacheable) {
        const hit = await this.#deps.cache!.get(principal, outbound);
        if (hit) {
          call.record.decision = `${call.record.decision}+cache`;
          await this.#finish(call, 200, null);
          return { kind: 'json', body: hit, meta: call.meta };
        }
      }

      call.permit = await this.#acquire(principal, target, outbound, ctx.signal);
      const upstreamStarted = performance.now();
      if (request.stream) {
        const { stream, servedBy } = await target.chatStream(outbound, ctx);
        this.#served(call, servedBy.backend, servedBy.model, upstreamStarted);
        const transformer = new StreamReplyTransformer(vault, output, inputValues);
        return { kind: 'stream', chunks: this.#observeStream(call, stream, transformer, finalize), meta: call.meta };
      }
      const { completion, servedBy } = await target.chat(outbound, ctx);
      this.#served(call, servedBy.backend, servedBy.model, upstreamStarted);
      countTokens(call.record, completion.usage);
      const finished = finishCompletion(completion, vault, output, inputValues);
      const extra = finalize?.(finished.completion.choices[0]?.message.content ?? '');
      if (extra) finished.completion.yumen = extra;
      if (cacheable) await this.#deps.cache!.set(principal, outbound, finished.completion);
      await this.#finish(call, 200, null);
      return { kind: 'json', body: finished.completion, meta: call.meta };
    } catch (err) {
      throw await this.#fail(call, err);
    }
  }

  async embeddings(principal: Principal, request: EmbeddingsRequest, ctx: CallContext): Promise<{ body: EmbeddingsResponse; meta: CallMeta }> {
    const call = this.#begin(principal, 'embeddings', ctx.requestId, request.model, false);
    try {
      const target = this.#resolve(principal, request.model, 'embeddings');
      this.#route(call, target);
      if (target.zone === 'external' && hasTokenIds(request.input)) {
        throw yumenError('invalid_request', 'Token-id input cannot be inspected, so it is not sent to an external model; send the text instead. / 外部模型不接受 token id 形式的输入（无法检查其内容），请改为发送文本。', { param: 'input' });
      }
      const { policy, guard } = await this.#deps.guards.for(principal);
      const inspection = this.#inspect(call, guard, request);
      const decision = decide(policy, target, inspection);
      if (decision.action === 'block') throw this.#refuse(call, decision, inspection);
      this.#recordDecision(call, decision, inspection);
      let outbound = composeOutbound(request, EMBEDDINGS_REQUEST_SHAPE, target.zone).body;
      if (decision.action === 'pseudonymize' && decision.pseudonymize.size > 0) {
        // Placeholders change what is embedded, but only what policy lets leave may leave.
        const p = pseudonymizeBody(outbound, inspection, decision.pseudonymize, new Vault());
        outbound = p.body;
        call.meta.redactions = call.record.redactions = p.redactions;
      }
      call.permit = await this.#acquire(principal, target, { model: request.model, messages: [] }, ctx.signal);
      const upstreamStarted = performance.now();
      const { response, servedBy } = await target.embeddings(outbound, ctx);
      this.#served(call, servedBy.backend, servedBy.model, upstreamStarted);
      call.record.promptTokens = response.usage?.prompt_tokens ?? 0;
      await this.#finish(call, 200, null);
      return { body: response, meta: call.meta };
    } catch (err) {
      throw await this.#fail(call, err);
    }
  }

  #inspect(call: CallState, guard: Guard, body: unknown, attached: AttachmentScan = NO_ATTACHMENTS): Inspection {
    const inspection = inspectBody(guard, body, attached);
    call.meta.level = inspection.level;
    call.findings = inspection.counts;
    return inspection;
  }

  /** A refusal: recorded as the decision, and the error says what was found (types and counts, never values). */
  #refuse(call: CallState, decision: Extract<Decision, { action: 'block' }>, inspection: Inspection): YumenError {
    this.#recordDecision(call, decision, inspection);
    return blocked(decision);
  }

  #begin(principal: Principal, endpoint: 'chat' | 'embeddings', requestId: string, model: string, stream: boolean): CallState {
    return {
      principal, endpoint, started: performance.now(), findings: {}, permit: null, done: false, app: null,
      meta: { requestId, route: 'private', level: 'public', redactions: 0, model, backend: null },
      record: {
        id: requestId, createdAt: Date.now(), tenantId: principal.tenantId, keyId: principal.keyId, endpoint, model,
        backend: null, zone: null, stream, status: 0, errorCode: null, promptTokens: 0, completionTokens: 0, latencyMs: 0,
        level: 'public', decision: 'allow', redactions: 0, findings: null,
      },
    };
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

  #resolveRerouteTarget(name: string): ModelHandle {
    const target = this.#deps.registry.get(name);
    if (!target) throw yumenError('internal_error', `The policy's private model "${name}" is not configured.`);
    return target;
  }

  #route(call: CallState, target: ModelHandle): void {
    call.meta.model = call.record.model = target.name;
    call.meta.route = target.zone;
    call.record.zone = target.zone;
  }

  #recordDecision(call: CallState, decision: Decision, inspection: Inspection): void {
    const action = decision.action === 'block' ? 'block' : decision.rerouted ? `reroute:${decision.action}` : decision.action;
    call.record.decision = action;
    const { metrics } = this.#deps;
    const route = decision.action === 'block' ? 'none' : decision.zone;
    metrics.decisions.inc({ action, level: inspection.level, route });
    for (const [type, n] of Object.entries(inspection.counts)) metrics.findings.inc({ type, route }, n);
  }

  async #acquire(principal: Principal, target: ModelHandle, request: ChatRequest, signal: AbortSignal): Promise<Permit | null> {
    if (!this.#deps.limiter) return null;
    return this.#deps.limiter.acquire({ principal, model: target.name, zone: target.zone, estimatedTokens: estimateTokens(request), signal });
  }

  #served(call: CallState, backend: string, model: string, upstreamStarted: number): void {
    call.meta.backend = call.record.backend = backend;
    this.#deps.metrics.upstreamLatency.observe({ model, backend }, (performance.now() - upstreamStarted) / 1000);
  }

  async #retrieve(principal: Principal, request: ChatRequest, policy: Policy, guard: Guard, ctx: CallContext): Promise<KnowledgeSource[] | null> {
    const names = request.knowledge_bases as string[] | undefined;
    if (!names?.length) return null;
    if (!this.#deps.knowledge) throw yumenError('invalid_request', 'Knowledge bases are not enabled on this server.', { param: 'knowledge_bases' });
    const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
    const query = contentText(lastUser?.content, ' ');
    if (!query.trim()) throw yumenError('invalid_request', 'A grounded chat needs a user message to search with.', { param: 'messages' });
    // The embedding and rerank models receive the question (and the reranker the passages) only as policy allows for their zone.
    return this.#deps.knowledge.retrieve(principal, names, query, { screen: retrievalScreen(policy, guard), signal: ctx.signal });
  }

  /**
   * What happens with the whole answer once it is known: citations for grounded chats (returned, to be
   * sent as `yumen`), and the redacted conversation for departments that keep them. Null when neither applies.
   */
  #finalizer(call: CallState, body: ChatRequest, inspection: Inspection, policy: Policy, guard: Guard, sources: KnowledgeSource[] | null): ((answer: string) => Record<string, unknown> | null) | null {
    const { knowledge, conversations } = this.#deps;
    const keep = conversations?.enabledFor(call.principal) === true;
    if (!sources && !keep) return null;
    return (answer) => {
      if (keep) {
        const stored = redactForStorage(policy, guard, body, inspection, answer);
        const { principal, record } = call;
        conversations!.capture({ requestId: record.id, tenantId: principal.tenantId, tenantName: principal.tenantName, keyId: principal.keyId, model: record.model, zone: record.zone, app: call.app, ...stored });
      }
      return sources ? { citations: knowledge!.cite(answer, sources) } : null;
    };
  }

  async *#observeStream(call: CallState, stream: AsyncIterable<ChatCompletionChunk>, transformer: StreamReplyTransformer, finalize: ((answer: string) => Record<string, unknown> | null) | null): AsyncGenerator<ChatCompletionChunk> {
    let answer = '';
    let last: ChatCompletionChunk | undefined;
    let status = 499; // stays so only when the server stops iterating because the client left
    let code: string | null = 'client_closed';
    try {
      for await (const chunk of stream) {
        if (chunk.usage) countTokens(call.record, chunk.usage);
        const out = transformer.transform(chunk);
        if (finalize) answer += out.choices?.[0]?.delta?.content ?? '';
        last = out;
        // Text held back by the restorer or output filter leaves empty deltas: nothing to send for those.
        if (!isEmptyChunk(out)) yield out;
      }
      for (const tail of transformer.end()) {
        if (finalize) answer += tail.choices?.[0]?.delta?.content ?? '';
        yield tail;
      }
      // Citations come as a final event of their own, after the model's last chunk.
      const extra = finalize?.(answer);
      if (extra && last) yield { id: last.id, object: 'chat.completion.chunk', created: last.created, model: last.model, choices: [], yumen: extra };
      // The audit record is durable before the server writes the final [DONE]; if it cannot be written,
      // the client gets an error event instead of a success it could not prove.
      await this.#finish(call, 200, null);
    } catch (err) {
      const mapped = toClientError(err);
      status = mapped.status;
      code = mapped.code;
      throw mapped;
    } finally {
      if (!call.done) await this.#finish(call, status, code).catch(() => {});
    }
  }

  async #fail(call: CallState, err: unknown): Promise<YumenError> {
    // Refusals and failures still say what the guard found: the level header comes with the error.
    const mapped = withHeaders(toClientError(err), { 'x-yumen-level': call.meta.level });
    await this.#finish(call, mapped.status, mapped.code).catch(() => {});
    return mapped;
  }

  /** Step 8: usage (batched), metrics, limits settled, and the audit record awaited. Runs once per call. */
  async #finish(call: CallState, status: number, code: string | null): Promise<void> {
    if (call.done) return;
    call.done = true;
    const { metrics, usage, audit } = this.#deps;
    const r = call.record;
    r.status = status;
    r.errorCode = code;
    r.latencyMs = performance.now() - call.started;
    r.level = call.meta.level;
    r.findings = Object.keys(call.findings).length ? call.findings : null;
    call.permit?.release({ promptTokens: r.promptTokens, completionTokens: r.completionTokens, status });
    usage.add(r);
    metrics.requests.inc({ endpoint: r.endpoint, model: r.model, zone: r.zone ?? 'none', status });
    metrics.latency.observe({ endpoint: r.endpoint, model: r.model }, r.latencyMs / 1000);
    if (r.promptTokens) metrics.tokens.inc({ model: r.model, zone: r.zone ?? 'none', kind: 'prompt' }, r.promptTokens);
    if (r.completionTokens) metrics.tokens.inc({ model: r.model, zone: r.zone ?? 'none', kind: 'completion' }, r.completionTokens);
    if (code) metrics.errors.inc({ code });
    if (audit) {
      await audit.record({
        requestId: r.id, time: r.createdAt, actor: r.keyId, tenantId: r.tenantId, action: `api.${r.endpoint}`, model: r.model,
        zone: r.zone as Zone | null, level: r.level ?? 'public', findings: call.findings, decision: r.decision ?? 'allow', status,
        errorCode: code, promptTokens: r.promptTokens, completionTokens: r.completionTokens, latencyMs: Math.round(r.latencyMs),
      });
    }
  }
}

function isEmptyChunk(chunk: ChatCompletionChunk): boolean {
  if (chunk.usage || !chunk.choices?.length) return false;
  for (const c of chunk.choices) {
    if (c.finish_reason || c.delta.content !== '') return false;
    for (const k in c.delta) if (k !== 'content') return false;
  }
  return true;
}

/** Token ids (numbers) cannot be inspected: only text can. */
function hasTokenIds(input: EmbeddingsRequest['input']): boolean {
  return Array.isArray(input) && input.some((x) => typeof x === 'number' || Array.isArray(x));
}

function stripYumenFields(request: ChatRequest): ChatRequest {
  if (!YUMEN_FIELDS.some((f) => f in request)) return request;
  const copy = { ...request };
  for (const f of YUMEN_FIELDS) delete copy[f];
  return copy;
}

function countTokens(record: UsageRecord, usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined): void {
  if (!usage) return;
  record.promptTokens = usage.prompt_tokens ?? record.promptTokens;
  record.completionTokens = usage.completion_tokens ?? record.completionTokens;
}

/** A cheap upper-bound estimate for rate checks before the call: ~1 token per 1.5 characters plus max_tokens. */
function estimateTokens(request: ChatRequest): number {
  let chars = 0;
  for (const m of request.messages) chars += contentText(m.content).length;
  return Math.ceil(chars / 1.5) + (request.max_completion_tokens ?? request.max_tokens ?? 256);
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
        return yumenError('client_closed', 'The request was cancelled.', { cause: err });
      case 'client': {
        // Yumen's own credentials refused by the backend are a server-side fault, not the client's.
        if (err.status === 401 || err.status === 403) return yumenError('upstream_error', `The model backend refused Yumen's credentials (HTTP ${err.status}).`, { cause: err });
        // The upstream judged the request itself wrong (e.g. an unsupported parameter): pass its words on.
        return yumenError('upstream_rejected', `The model backend rejected the request (HTTP ${err.status ?? 400}): ${upstreamMessage(err.body) ?? err.message}`, { cause: err });
      }
      case 'rate_limited':
        return yumenError('upstream_rate_limited', 'Every backend of the model is rate-limited; retry later.', { cause: err, headers: { 'retry-after': '1' } });
      default:
        return yumenError('upstream_error', `The model backend failed: ${err.message}`, { cause: err });
    }
  }
  return yumenError('internal_error', 'Internal error. / 内部错误。', { cause: err });
}

function upstreamMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const e = (body as { error?: unknown }).error;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof e === 'string') return e;
  }
  return undefined;
}

/**
 * `req_` + 12 hex digits of the epoch milliseconds + 20 random hex digits (80 bits). Ids that sort by time
 * land at the end of the usage table's primary-key index instead of on random pages of it: with random ids
 * a usage insert cost 1.6–2.4× as much at 30,000–120,000 rows, and more as the table grows.
 */
export function newRequestId(): string {
  const u = randomUUID(); // 8-4-4-4-12 hex; position 14 is the fixed version digit
  return `req_${Date.now().toString(16).padStart(12, '0')}${u.slice(0, 8)}${u.slice(9, 13)}${u.slice(15, 18)}${u.slice(19, 23)}${u.slice(24, 25)}`;
}
