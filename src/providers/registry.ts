/**
 * The model registry: configured models → {@link ModelHandle}s. Construction does no I/O; HTTP pools
 * connect on first use and embedded models load lazily.
 */
import type { ModelConfig } from '../config/types.ts';
import type { Dispatcher } from 'undici';
import type { Backend, BackendFactoryOptions } from './backend.ts';
import { PooledModel, type PoolStats } from './pool.ts';
import { presetOf, type WireProtocol } from './presets.ts';
import { validateModelConfigs } from './validate.ts';
import { createOpenAIBackends } from './openai-compatible/openai-backend.ts';
import { createAnthropicBackends } from './anthropic/anthropic-backend.ts';
import { createLlamaCppBackends } from './llama-cpp/llama-cpp-backend.ts';
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

const FACTORIES: Record<WireProtocol, (m: ModelConfig, o: BackendFactoryOptions) => Backend[]> = {
  openai: createOpenAIBackends,
  azure: createOpenAIBackends,
  anthropic: createAnthropicBackends,
  'llama-cpp': createLlamaCppBackends,
};

function capabilitiesOf(protocol: WireProtocol, m: ModelConfig): { chat: boolean; embeddings: boolean } {
  if (protocol === 'anthropic') return { chat: true, embeddings: false };
  if (protocol === 'llama-cpp') return { chat: m.type !== 'embeddings', embeddings: true };
  return { chat: m.type !== 'embeddings', embeddings: true };
}

/** Builds handles for validated model configs; throws with every problem listed when a config is invalid. */
export function createModelRegistry(models: ModelConfig[], opts: RegistryOptions = {}): ModelRegistry {
  const errors = validateModelConfigs(models);
  if (errors.length > 0) throw new Error(`invalid model configuration:\n  ${errors.join('\n  ')}`);
  const handles = new Map<string, PooledModel>();
  for (const m of models) {
    const protocol = (presetOf(m.provider) as { protocol: WireProtocol }).protocol;
    const backends = FACTORIES[protocol](m, opts);
    // An embedded engine has nothing to fail over to, and a missing file will not appear on a retry.
    const cfg = protocol === 'llama-cpp' && m.retries === undefined ? { ...m, retries: 0 } : m;
    handles.set(m.name, new PooledModel(cfg, backends, capabilitiesOf(protocol, m), opts));
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
