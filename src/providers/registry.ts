/**
 * The model registry: configured models → {@link ModelHandle}s. Construction does no I/O; HTTP pools
 * connect on first use and embedded models load lazily.
 */
import type { ModelConfig } from '../config/types.ts';
import type { Dispatcher } from 'undici';
import type { ProviderFactory } from './backend.ts';
import { PooledModel, type PoolStats } from './pool.ts';
import { presetOf, type WireProtocol } from './presets.ts';
import { validateModelConfigs } from './validate.ts';
import { openAIProvider } from './openai-compatible/openai-backend.ts';
import { anthropicProvider } from './anthropic/anthropic-backend.ts';
import { llamaCppProvider } from './llama-cpp/llama-cpp-backend.ts';
import type { ModelHandle } from './types.ts';

export interface RegistryOptions {
  /** Replaces every HTTP backend's own keep-alive Pool (tests may swap in a MockAgent). */
  dispatcher?: Dispatcher;
  /** Base directory for relative llama-cpp paths is the process cwd; dataDir is informational. */
  dataDir?: string;
  logger?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

export interface ModelRegistry {
  get(name: string): ModelHandle | undefined;
  list(): ModelHandle[];
  /** Ends HTTP pools (aborting what is in flight) and disposes embedded models. */
  close(): Promise<void>;
  stats(): PoolStats[];
}

/** One line per wire protocol: chat, embedding and rerank models all come from here. */
const PROVIDERS: Readonly<Record<WireProtocol, ProviderFactory>> = Object.freeze({
  openai: openAIProvider,
  azure: openAIProvider,
  anthropic: anthropicProvider,
  'llama-cpp': llamaCppProvider,
});

/**
 * Builds handles for validated model configs; throws with every problem listed when a config is invalid.
 * A registry holds no global state: to change the models at run time, build a new one and swap it in
 * (then close the old one once its calls are done).
 */
export function createModelRegistry(models: ModelConfig[], opts: RegistryOptions = {}): ModelRegistry {
  const errors = validateModelConfigs(models);
  if (errors.length > 0) throw new Error(`invalid model configuration:\n  ${errors.join('\n  ')}`);
  const handles = new Map<string, PooledModel>();
  for (const m of models) {
    const provider = PROVIDERS[(presetOf(m.provider) as { protocol: WireProtocol }).protocol];
    const cfg = provider.defaultRetries !== undefined && m.retries === undefined ? { ...m, retries: provider.defaultRetries } : m;
    handles.set(m.name, new PooledModel(cfg, provider.createBackends(m, opts), provider.capabilities(m), opts));
  }
  let closed: Promise<void> | undefined;
  return {
    get: (name) => handles.get(name),
    list: () => [...handles.values()],
    close: () => (closed ??= Promise.allSettled([...handles.values()].map((h) => h.close())).then(() => undefined)),
    stats: () => {
      const now = Date.now();
      return [...handles.values()].flatMap((h) => h.stats(now));
    },
  };
}
