/**
 * The internal seam every provider implements: one backend (one upstream endpoint, or one embedded
 * engine). Pools (`pool.ts`) turn one or more backends into a {@link ModelHandle}.
 */
import type { ModelConfig, TimeoutsConfig } from '../config/types.ts';
import type { Dispatcher } from 'undici';
import type {
  CallContext, ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest, EmbeddingsResponse,
} from './types.ts';

export interface Backend {
  /** Short label for metrics and `servedBy.backend`, e.g. `gpu-a.internal:8000` or `llama-cpp:qwen.gguf`. */
  readonly label: string;
  readonly weight: number;
  chat(req: ChatRequest, ctx: CallContext): Promise<ChatCompletion>;
  /** Resolves once the upstream answered with a success status; iteration errors are never retried. */
  chatStream(req: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatCompletionChunk>>;
  embeddings(req: EmbeddingsRequest, ctx: CallContext): Promise<EmbeddingsResponse>;
  close(): Promise<void>;
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

/** A provider: builds the backends of one configured model. */
export interface ProviderFactory {
  readonly name: string;
  readonly capabilities: { chat: boolean; embeddings: boolean };
  createBackends(model: ModelConfig, opts: BackendFactoryOptions): Backend[];
}
