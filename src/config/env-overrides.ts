/**
 * `YUMEN_<SECTION>__<KEY>=value` sets a nested key (double underscore separates levels):
 * `YUMEN_SERVER__PORT=9000`, `YUMEN_STORAGE__URL=postgres://…`. A few short names are kept
 * for convenience: YUMEN_HOST, YUMEN_PORT, YUMEN_STORAGE_URL, YUMEN_REDIS_URL, YUMEN_LOG_LEVEL, YUMEN_DATA_DIR.
 * Values are parsed as JSON when they look like numbers, booleans or JSON; otherwise kept as strings.
 */
import { isMapping } from '../util/mapping.ts';

const SHORT_NAMES: Record<string, string[]> = {
  YUMEN_HOST: ['server', 'host'],
  YUMEN_PORT: ['server', 'port'],
  YUMEN_STORAGE_URL: ['storage', 'url'],
  YUMEN_REDIS_URL: ['redis', 'url'],
  YUMEN_LOG_LEVEL: ['log', 'level'],
  YUMEN_DATA_DIR: ['data_dir'],
};

/** Variables that are read elsewhere and are not config keys. */
const NOT_KEYS = new Set(['YUMEN_CONFIG', 'YUMEN_MASTER_KEY', 'YUMEN_MODEL_MIRROR']);

export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('YUMEN_') || value === undefined || NOT_KEYS.has(name)) continue;
    const path = SHORT_NAMES[name] ?? (name.includes('__') ? name.slice(6).toLowerCase().split('__') : undefined);
    if (!path) continue;
    setPath(raw, path, parseValue(value));
  }
  return raw;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isMapping(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function parseValue(v: string): unknown {
  if (/^(true|false|null|-?\d+(\.\d+)?)$/.test(v) || /^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}
