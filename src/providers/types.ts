/**
 * The seam between the gateway and every model backend. Bodies follow the OpenAI Chat Completions
 * and Embeddings wire format; adapters translate from/to their own protocol inside their folder.
 * Providers know nothing of tenants, policies or the guard.
 */

export type Zone = 'private' | 'external';

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [extra: string]: unknown;
}

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: string; [k: string]: unknown };

/** The text of a message's content: the string itself, or its text parts joined by `separator`. */
export function contentText(content: ChatMessage['content'], separator = ''): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join(separator);
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** An OpenAI chat request. Unknown fields are passed through to OpenAI-compatible upstreams untouched. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } }>;
  tool_choice?: unknown;
  response_format?: { type: 'text' | 'json_object' | 'json_schema'; json_schema?: { name?: string; schema?: Record<string, unknown>; strict?: boolean } };
  seed?: number | null;
  user?: string;
  [extra: string]: unknown;
}

export interface Usage { prompt_tokens: number; completion_tokens: number; total_tokens: number; [k: string]: unknown }

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[]; [k: string]: unknown };
    finish_reason: string | null;
    logprobs?: unknown;
  }>;
  usage?: Usage;
  [extra: string]: unknown;
}

/** A piece of a tool call in a stream: id and name come first, arguments arrive in fragments. */
export interface ToolCallDelta { index: number; id?: string; type?: 'function'; function?: { name?: string; arguments?: string } }

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string | null; tool_calls?: ToolCallDelta[]; [k: string]: unknown };
    finish_reason: string | null;
    logprobs?: unknown;
  }>;
  usage?: Usage | null;
  [extra: string]: unknown;
}

export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  [extra: string]: unknown;
}

export interface EmbeddingsResponse {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** A rerank request (the `/rerank` of vLLM, Xinference, llama-server, Jina, Cohere v2 compatible servers). */
export interface RerankRequest {
  model: string;
  query: string;
  documents: string[];
  top_n?: number;
}

/** Relevance per document, by the document's index in the request. */
export interface RerankResponse {
  results: Array<{ index: number; relevance_score: number }>;
  model?: string;
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

/** What a model serves. A model serves exactly the kinds its type and provider allow. */
export interface Capabilities { chat: boolean; embeddings: boolean; rerank: boolean }

/** Per call: cancellation (client gone, shutdown) and the request id for upstream tracing. */
export interface CallContext {
  signal: AbortSignal;
  requestId: string;
}

/** What one call was served by, for metrics, usage and headers. */
export interface ServedBy { model: string; backend: string; zone: Zone }

/**
 * A model as the gateway sees it: one configured name, which may be a pool of several backends.
 * `chatStream` yields OpenAI chunks; the first `next()` resolves only once the upstream has answered
 * (so errors before the first byte still become proper HTTP errors and may be retried or failed over).
 */
export interface ModelHandle {
  readonly name: string;
  readonly zone: Zone;
  readonly provider: string;
  /** The upstream model id reported in replies (defaults to the configured name). */
  readonly capabilities: Capabilities;
  chat(req: ChatRequest, ctx: CallContext): Promise<{ completion: ChatCompletion; servedBy: ServedBy }>;
  chatStream(req: ChatRequest, ctx: CallContext): Promise<{ stream: AsyncIterable<ChatCompletionChunk>; servedBy: ServedBy }>;
  embeddings(req: EmbeddingsRequest, ctx: CallContext): Promise<{ response: EmbeddingsResponse; servedBy: ServedBy }>;
  rerank(req: RerankRequest, ctx: CallContext): Promise<{ response: RerankResponse; servedBy: ServedBy }>;
  close(): Promise<void>;
}

/** Upstream failures, classified so pools know what may be retried and the server which status to answer. */
export type UpstreamErrorKind =
  | 'connect' // could not reach the backend
  | 'timeout' // connect / first byte / idle / total timeout
  | 'rate_limited' // 429 from the upstream
  | 'server' // 5xx from the upstream
  | 'client' // 4xx other than 429: the request itself is wrong for this upstream
  | 'protocol' // answered something unusable (bad JSON, broken SSE)
  | 'aborted'; // cancelled by us (client disconnected)

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  readonly backend: string | undefined;
  /** The upstream's own error body, when it sent one (OpenAI shape or not). */
  readonly body: unknown;
  constructor(kind: UpstreamErrorKind, message: string, opts: { status?: number; backend?: string; body?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'UpstreamError';
    this.kind = kind;
    this.status = opts.status;
    this.backend = opts.backend;
    this.body = opts.body;
  }
  /** Connect errors, timeouts before the first byte, 429 and 5xx may be retried on another backend. */
  get retryable(): boolean {
    return this.kind === 'connect' || this.kind === 'timeout' || this.kind === 'rate_limited' || this.kind === 'server';
  }
}
