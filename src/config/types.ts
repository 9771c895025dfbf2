import type { Zone } from '../providers/types.ts';

/** Per-model timeouts in milliseconds. Defaults are set by the provider registry. */
export interface TimeoutsConfig {
  connect_ms?: number;
  first_byte_ms?: number;
  idle_ms?: number;
  total_ms?: number;
}

export interface BackendConfig {
  base_url: string;
  api_key?: string;
  weight?: number;
  /** Upstream model id on this backend, when it differs from the model's. */
  model?: string;
  headers?: Record<string, string>;
}

/**
 * One entry of `models:` in yumen.yaml. Common keys are typed; provider-specific keys
 * (e.g. `api_version`, `deployment` for Azure) are validated by the provider itself.
 */
export interface ModelConfig {
  name: string;
  provider: string;
  zone: Zone;
  /** Upstream model id (defaults to `name`). */
  model?: string;
  base_url?: string;
  api_key?: string;
  headers?: Record<string, string>;
  /** A pool: several backends serving the same model behind one name. */
  backends?: BackendConfig[];
  balance?: 'round-robin' | 'least-in-flight';
  retries?: number;
  /** Seconds a failing backend is left out of the pool. */
  cooldown_ms?: number;
  timeouts?: TimeoutsConfig;
  /** llama-cpp: the GGUF file. */
  path?: string;
  /** llama-cpp: CPU threads (default os.availableParallelism()). */
  threads?: number;
  context_size?: number;
  /** llama-cpp: parallel sequences batched in one context. */
  parallel?: number;
  gpu_layers?: number | 'auto';
  /** llama-cpp: LoRA adapters (GGUF) applied to the model, e.g. one fine-tuned from a flywheel export. */
  lora?: Array<{ path: string; scale?: number }>;
  /** What the model serves. Default: chat; llama-cpp embedding GGUFs set `embeddings`; a reranker (`/rerank`) sets `rerank`. */
  type?: 'chat' | 'embeddings' | 'rerank';
  /** Human description shown in /v1/models and the console. */
  description?: string;
  [providerSpecific: string]: unknown;
}

export interface ServerConfig {
  host: string;
  port: number;
  body_limit_bytes: number;
  /** How long in-flight requests and streams may run on after shutdown begins. */
  shutdown_grace_ms: number;
  trust_proxy: boolean;
}

export interface YumenConfig {
  server: ServerConfig;
  storage: { url: string };
  /** prefix: of every Redis key and channel Yumen uses (default `yumen:`), so installations can share a Redis. */
  redis?: { url: string; prefix?: string };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  models: ModelConfig[];
  /** Sections validated by their own modules (policy, guard, governance, audit, knowledge, limits). */
  policy?: Record<string, unknown>;
  guard?: Record<string, unknown>;
  tenants?: Array<Record<string, unknown>>;
  governance?: Record<string, unknown>;
  audit?: Record<string, unknown>;
  knowledge?: Record<string, unknown>;
  limits?: Record<string, unknown>;
  cache?: Record<string, unknown>;
  /** Directory of data files (SQLite, master key, models): default ./data. */
  data_dir: string;
  /** Where the configuration was read from (undefined for built-in defaults). */
  source?: string;
}
