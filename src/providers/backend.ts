/**
 * The internal seam every provider implements: one backend (one upstream endpoint, or one embedded
 * engine). Pools (`pool.ts`) turn one or more backends into a {@link ModelHandle}.
 */
import type { ModelConfig, TimeoutsConfig } from '../config/types.ts';
import type { Dispatcher } from 'undici';
import type {
  Capabilities, CallContext, ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest, EmbeddingsResponse, RerankRequest, RerankResponse,
} from './types.ts';
import { UpstreamError } from './types.ts';

export interface Backend {
  /** Short label for metrics and `servedBy.backend`, e.g. `gpu-a.internal:8000` or `llama-cpp:qwen.gguf`. */
  readonly label: string;
  readonly weight: number;
  chat(req: ChatRequest, ctx: CallContext): Promise<ChatCompletion>;
  /** Resolves once the upstream answered with a success status; iteration errors are never retried. */
  chatStream(req: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatCompletionChunk>>;
  embeddings(req: EmbeddingsRequest, ctx: CallContext): Promise<EmbeddingsResponse>;
  rerank(req: RerankRequest, ctx: CallContext): Promise<RerankResponse>;
  close(): Promise<void>;
}

/** For backends whose protocol has no such call: a client error (400), never retried. */
export function unsupported(what: string, label: string): Promise<never> {
  return Promise.reject(new UpstreamError('client', `${what} is not supported by ${label}`, { backend: label, status: 400 }));
}

export interface ResolvedTimeouts { connectMs: number; firstByteMs: number; idleMs: number; totalMs: number }

/** Defaults chosen for LLM backends: long prefill on big prompts, but no connection left hanging forever. */
export const DEFAULT_TIMEOUTS: Readonly<ResolvedTimeouts> = Object.freeze({
  connectMs: 5_000,
  firstByteMs: 120_000,
  idleMs: 60_000,
  totalMs: 600_000,
});

export function resolveTimeouts(t: TimeoutsConfig | undefined): ResolvedTimeouts {
  return {
    connectMs: t?.connect_ms ?? DEFAULT_TIMEOUTS.connectMs,
    firstByteMs: t?.first_byte_ms ?? DEFAULT_TIMEOUTS.firstByteMs,
    idleMs: t?.idle_ms ?? DEFAULT_TIMEOUTS.idleMs,
    totalMs: t?.total_ms ?? DEFAULT_TIMEOUTS.totalMs,
  };
}

export interface BackendFactoryOptions {
  /** Shared dispatcher (tests may swap in a MockAgent); otherwise each backend owns a keep-alive Pool. */
  dispatcher?: Dispatcher;
  dataDir?: string;
  logger?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

/**
 * A provider — one wire protocol — as the registry sees it: what a configured model of it serves, and its
 * backends. A new protocol is a folder exporting one of these plus one line in the registry's table.
 */
export interface ProviderFactory {
  readonly name: string;
  capabilities(model: ModelConfig): Capabilities;
  createBackends(model: ModelConfig, opts: BackendFactoryOptions): Backend[];
  /** An embedded engine has nothing to fail over to: its default retry count (HTTP providers use the pool's). */
  readonly defaultRetries?: number;
}
