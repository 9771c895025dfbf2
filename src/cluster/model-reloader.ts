import type { ModelConfig } from '../config/index.ts';
import type { ReloadableRegistry } from './reloadable-registry.ts';

/**
 * Rebuilds the served models from `load` (yumen.yaml's plus the stored ones) into `registry`. Calls that
 * arrive while a reload runs share one follow-up reload, so a burst of changes costs at most two.
 */
export function modelReloader(load: () => Promise<ModelConfig[]>, registry: ReloadableRegistry, opts: { onReload?: (models: ModelConfig[]) => void } = {}): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const once = async () => {
    const models = await load();
    registry.replace(models);
    opts.onReload?.(models);
  };
  return function reload(): Promise<void> {
    if (!running) {
      running = once().finally(() => { running = undefined; });
      return running;
    }
    queued ??= running.catch(() => {}).then(() => {
      queued = undefined;
      return reload();
    });
    return queued;
  };
}
