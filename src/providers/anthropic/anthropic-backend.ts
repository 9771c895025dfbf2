/** Anthropic Messages API backend: OpenAI requests translated out, replies and stream events translated back. */
import type { BackendConfig, ModelConfig } from '../../config/types.ts';
import type { Backend, BackendFactoryOptions, ProviderFactory } from '../backend.ts';
import { resolveTimeouts, unsupported } from '../backend.ts';
import { ANTHROPIC_VERSION, presetOf } from '../presets.ts';
import { closeHttpTarget, createHttpTarget, readErrorResponse, releaseResponse, upstreamJson, upstreamRequest, type HttpTarget, type UpstreamResponse } from '../http/upstream-http.ts';
import { iterateSse } from '../http/sse.ts';
import { GuardedStream } from '../guarded-stream.ts';
import { UpstreamError } from '../types.ts';
import type { CallContext, ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest, EmbeddingsResponse, RerankResponse } from '../types.ts';
import { toAnthropicRequest } from './translate-request.ts';
import { fromAnthropicMessage, newStreamState, translateStreamEvent } from './translate-response.ts';

export class AnthropicBackend implements Backend {
  readonly label: string;
  readonly weight: number;
  private readonly target: HttpTarget;
  private readonly upstreamModel: string;
  private readonly headers: Record<string, string>;
  private readonly path: string;

  constructor(model: ModelConfig, backend: BackendConfig, opts: BackendFactoryOptions) {
    this.target = createHttpTarget(backend.base_url, resolveTimeouts(model.timeouts), opts.dispatcher);
    this.label = this.target.label;
    this.weight = backend.weight ?? 1;
    this.upstreamModel = backend.model ?? model.model ?? model.name;
    const apiKey = backend.api_key ?? model.api_key;
    this.headers = {
      'content-type': 'application/json',
      'anthropic-version': typeof model.anthropic_version === 'string' ? model.anthropic_version : ANTHROPIC_VERSION,
      ...model.headers,
      ...backend.headers,
    };
    if (apiKey) this.headers['x-api-key'] = apiKey;
    const base = this.target.basePath;
    this.path = base.endsWith('/v1') ? `${base}/messages` : `${base}/v1/messages`;
  }

  async chat(req: ChatRequest, ctx: CallContext): Promise<ChatCompletion> {
    const body = JSON.stringify(toAnthropicRequest(req, this.upstreamModel, false));
    const json = await upstreamJson(this.target, 'POST', this.path, this.headersFor(ctx), body, ctx, this.label);
    if (json === null || typeof json !== 'object') throw new UpstreamError('protocol', `upstream ${this.label} answered a non-object`, { backend: this.label });
    try {
      return fromAnthropicMessage(json as Record<string, unknown>);
    } catch (err) {
      if (err instanceof UpstreamError) throw new UpstreamError(err.kind, `upstream ${this.label}: ${err.message}`, { backend: this.label, body: json });
      throw err;
    }
  }

  async chatStream(req: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatCompletionChunk>> {
    const body = JSON.stringify(toAnthropicRequest(req, this.upstreamModel, true));
    const headers = this.headersFor(ctx);
    headers.accept = 'text/event-stream';
    const res = await upstreamRequest(this.target, 'POST', this.path, headers, body, ctx);
    if (res.status < 200 || res.status >= 300) throw await readErrorResponse(res, this.label);
    return new GuardedStream(anthropicChunks(res, this.label, req.stream_options?.include_usage === true, this.upstreamModel), () => releaseResponse(res));
  }

  embeddings(_req: EmbeddingsRequest, _ctx: CallContext): Promise<EmbeddingsResponse> {
    return unsupported('embeddings', 'Anthropic');
  }

  rerank(): Promise<RerankResponse> {
    return unsupported('rerank', 'Anthropic');
  }

  close(): Promise<void> {
    return closeHttpTarget(this.target);
  }

  private headersFor(ctx: CallContext): Record<string, string> {
    return { ...this.headers, 'x-request-id': ctx.requestId };
  }
}

async function* anthropicChunks(res: UpstreamResponse, label: string, includeUsage: boolean, model: string): AsyncGenerator<ChatCompletionChunk> {
  const state = newStreamState(includeUsage, model);
  for await (const ev of iterateSse(res, label)) {
    if (ev.data === null || typeof ev.data !== 'object') {
      throw new UpstreamError('protocol', `upstream ${label} sent a non-object stream event`, { backend: label });
    }
    const chunks = translateStreamEvent(ev.data as Record<string, unknown>, state);
    for (let i = 0; i < chunks.length; i++) yield chunks[i];
  }
}

/** Anthropic's Messages API: chat only. */
export const anthropicProvider: ProviderFactory = {
  name: 'anthropic',
  capabilities: () => ({ chat: true, embeddings: false, rerank: false }),
  createBackends: createAnthropicBackends,
};

export function createAnthropicBackends(model: ModelConfig, opts: BackendFactoryOptions): Backend[] {
  const preset = presetOf(model.provider);
  const list: BackendConfig[] = model.backends && model.backends.length > 0 ? model.backends : [{ base_url: (model.base_url ?? preset?.baseUrl) as string }];
  return list.map((b) => new AnthropicBackend(model, { ...b, base_url: b.base_url ?? model.base_url ?? preset?.baseUrl as string }, opts));
}
