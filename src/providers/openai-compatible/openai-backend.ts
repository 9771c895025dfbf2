/**
 * OpenAI-compatible backends (vLLM, Ollama, MindIE, DeepSeek, Qwen, …, and Azure OpenAI's deployment
 * paths). Requests pass through untouched except `model` (and `stream`); replies keep upstream's fields.
 */
import type { BackendConfig, ModelConfig } from '../../config/types.ts';
import type { Backend, BackendFactoryOptions, ProviderFactory } from '../backend.ts';
import { resolveTimeouts } from '../backend.ts';
import { AZURE_DEFAULT_API_VERSION, presetOf } from '../presets.ts';
import { closeHttpTarget, createHttpTarget, readErrorResponse, readJson, releaseResponse, upstreamJson, upstreamRequest, type HttpTarget } from '../http/upstream-http.ts';
import { iterateSse } from '../http/sse.ts';
import { GuardedStream } from '../guarded-stream.ts';
import { UpstreamError } from '../types.ts';
import type {
  CallContext, ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest, EmbeddingsResponse, RerankRequest, RerankResponse,
} from '../types.ts';

interface Paths { chat: string; embeddings: string; rerank: string }

export class OpenAICompatibleBackend implements Backend {
  readonly label: string;
  readonly weight: number;
  private readonly target: HttpTarget;
  private readonly upstreamModel: string;
  private readonly headers: Record<string, string>;
  private readonly paths: Paths;

  constructor(model: ModelConfig, backend: BackendConfig, opts: BackendFactoryOptions, azure: boolean) {
    this.target = createHttpTarget(backend.base_url, resolveTimeouts(model.timeouts), opts.dispatcher);
    this.label = this.target.label;
    this.weight = backend.weight ?? 1;
    this.upstreamModel = backend.model ?? model.model ?? model.name;
    const apiKey = backend.api_key ?? model.api_key;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...model.headers, ...backend.headers };
    const base = this.target.basePath;
    if (azure) {
      if (apiKey) headers['api-key'] = apiKey;
      const deployment = encodeURIComponent(String(model.deployment ?? this.upstreamModel));
      const q = `?api-version=${encodeURIComponent(String(model.api_version ?? AZURE_DEFAULT_API_VERSION))}`;
      const prefix = `${base}/openai/deployments/${deployment}`;
      this.paths = { chat: `${prefix}/chat/completions${q}`, embeddings: `${prefix}/embeddings${q}`, rerank: `${prefix}/rerank${q}` };
    } else {
      if (apiKey) headers.authorization = `Bearer ${apiKey}`;
      this.paths = { chat: `${base}/chat/completions`, embeddings: `${base}/embeddings`, rerank: `${base}/rerank` };
    }
    this.headers = headers;
  }

  private headersFor(ctx: CallContext): Record<string, string> {
    return { ...this.headers, 'x-request-id': ctx.requestId };
  }

  async chat(req: ChatRequest, ctx: CallContext): Promise<ChatCompletion> {
    const body = JSON.stringify({ ...req, model: this.upstreamModel, stream: false });
    const json = await upstreamJson(this.target, 'POST', this.paths.chat, this.headersFor(ctx), body, ctx, this.label) as ChatCompletion;
    if (json === null || typeof json !== 'object' || !Array.isArray(json.choices)) {
      throw new UpstreamError('protocol', `upstream ${this.label} answered without choices`, { backend: this.label, body: json });
    }
    if (typeof json.model !== 'string') json.model = this.upstreamModel;
    return json;
  }

  async chatStream(req: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatCompletionChunk>> {
    const body = JSON.stringify({ ...req, model: this.upstreamModel, stream: true });
    const headers = this.headersFor(ctx);
    headers.accept = 'text/event-stream';
    const res = await upstreamRequest(this.target, 'POST', this.paths.chat, headers, body, ctx);
    if (res.status < 200 || res.status >= 300) throw await readErrorResponse(res, this.label);
    const ct = res.headers['content-type'];
    if (typeof ct === 'string' && !ct.includes('text/event-stream') && ct.includes('json')) {
      // Some upstreams ignore `stream: true` and answer one JSON completion: replay it as chunks.
      const json = await readJson(res, this.label) as ChatCompletion;
      if (json === null || typeof json !== 'object' || !Array.isArray(json.choices)) {
        throw new UpstreamError('protocol', `upstream ${this.label} answered a stream request with unusable JSON`, { backend: this.label, body: json });
      }
      return completionAsChunks(json, req.stream_options?.include_usage === true);
    }
    return new GuardedStream(openAIChunks(res, this.label), () => releaseResponse(res));
  }

  async embeddings(req: EmbeddingsRequest, ctx: CallContext): Promise<EmbeddingsResponse> {
    const body = JSON.stringify({ ...req, model: this.upstreamModel });
    const json = await upstreamJson(this.target, 'POST', this.paths.embeddings, this.headersFor(ctx), body, ctx, this.label) as EmbeddingsResponse;
    if (json === null || typeof json !== 'object' || !Array.isArray(json.data)) {
      throw new UpstreamError('protocol', `upstream ${this.label} answered embeddings without data`, { backend: this.label, body: json });
    }
    return json;
  }

  async rerank(req: RerankRequest, ctx: CallContext): Promise<RerankResponse> {
    const body = JSON.stringify({ ...req, model: this.upstreamModel });
    const json = await upstreamJson(this.target, 'POST', this.paths.rerank, this.headersFor(ctx), body, ctx, this.label) as { results?: Array<{ index: number; relevance_score?: number; score?: number }> };
    if (json === null || typeof json !== 'object' || !Array.isArray(json.results)) {
      throw new UpstreamError('protocol', `upstream ${this.label} answered rerank without results`, { backend: this.label, body: json });
    }
    // Some servers name the score `score`.
    return { ...json, results: json.results.map((r) => ({ index: r.index, relevance_score: r.relevance_score ?? r.score ?? -Infinity })) };
  }

  close(): Promise<void> {
    return closeHttpTarget(this.target);
  }
}

async function* openAIChunks(res: Parameters<typeof iterateSse>[0], label: string): AsyncGenerator<ChatCompletionChunk> {
  for await (const ev of iterateSse(res, label)) {
    const data = ev.data as ChatCompletionChunk & { error?: unknown };
    if (data === null || typeof data !== 'object') {
      throw new UpstreamError('protocol', `upstream ${label} sent a non-object stream event`, { backend: label });
    }
    if (data.error !== undefined && data.choices === undefined) {
      const e = data.error as { message?: unknown };
      const msg = typeof e === 'object' && e !== null && typeof e.message === 'string' ? e.message : JSON.stringify(data.error);
      throw new UpstreamError('server', `upstream ${label} failed mid-stream: ${msg}`, { backend: label, body: data });
    }
    yield data;
  }
}

/** A whole completion replayed as the chunks a streaming upstream would have sent. */
export async function* completionAsChunks(c: ChatCompletion, includeUsage: boolean): AsyncGenerator<ChatCompletionChunk> {
  const base = { id: c.id, object: 'chat.completion.chunk' as const, created: c.created, model: c.model };
  for (const choice of c.choices) {
    const m = choice.message;
    const delta: ChatCompletionChunk['choices'][number]['delta'] = { role: 'assistant', content: m.content ?? '' };
    if (m.tool_calls) delta.tool_calls = m.tool_calls.map((tc, index) => ({ index, ...tc }));
    yield { ...base, choices: [{ index: choice.index, delta, finish_reason: null }] };
    yield { ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason ?? 'stop' }] };
  }
  if (includeUsage && c.usage) yield { ...base, choices: [], usage: c.usage };
}

/** OpenAI-compatible servers and services (and Azure's deployment paths): chat, embeddings or rerank, by `type`. */
export const openAIProvider: ProviderFactory = {
  name: 'openai',
  capabilities: (m) => ({ chat: m.type === undefined || m.type === 'chat', embeddings: m.type !== 'rerank', rerank: m.type === 'rerank' }),
  createBackends: createOpenAIBackends,
};

export function createOpenAIBackends(model: ModelConfig, opts: BackendFactoryOptions): Backend[] {
  const preset = presetOf(model.provider);
  const azure = preset?.protocol === 'azure';
  const list: BackendConfig[] = model.backends && model.backends.length > 0
    ? model.backends
    : [{ base_url: (model.base_url ?? preset?.baseUrl) as string }];
  return list.map((b) => new OpenAICompatibleBackend(model, { ...b, base_url: b.base_url ?? model.base_url ?? preset?.baseUrl }, opts, azure));
}
