import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseStorageUrl } from '../store/index.ts';
import type { YumenConfig } from './types.ts';
import { applyEnvOverrides } from './env-overrides.ts';
import { ConfigError, interpolateEnv } from './interpolate.ts';
import { isMapping } from '../util/mapping.ts';

/** A module's own check of its config section; returns problems as "key.path: what was expected". */
export type ConfigValidator = (config: YumenConfig) => string[];

export interface LoadConfigOptions {
  /** Explicit file; else $YUMEN_CONFIG; else ./yumen.yaml when it exists; else built-in defaults. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  validators?: ConfigValidator[];
}

export const DEFAULTS = {
  server: { host: '127.0.0.1', port: 8080, body_limit_bytes: 8 * 1024 * 1024, shutdown_grace_ms: 10_000, trust_proxy: false },
  data_dir: './data',
  log: { level: 'info' },
} as const;

const TOP_LEVEL_KEYS = new Set(['server', 'storage', 'redis', 'log', 'models', 'policy', 'guard', 'tenants', 'governance', 'audit', 'knowledge', 'limits', 'cache', 'data_dir']);
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function resolveConfigFile(opts: LoadConfigOptions = {}): string | undefined {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  if (opts.file) return resolve(cwd, opts.file);
  if (env.YUMEN_CONFIG) return resolve(cwd, env.YUMEN_CONFIG);
  const local = resolve(cwd, 'yumen.yaml');
  return existsSync(local) ? local : undefined;
}

export function loadConfig(opts: LoadConfigOptions = {}): YumenConfig {
  const env = opts.env ?? process.env;
  const file = resolveConfigFile(opts);
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new ConfigError([`YAML syntax: ${(err as Error).message}`], file);
    }
  }
  if (!isMapping(raw)) throw new ConfigError(['the top level must be a mapping of sections (server, storage, models, …)'], file);
  let tree: Record<string, unknown>;
  try {
    tree = applyEnvOverrides(interpolateEnv(raw, env) as Record<string, unknown>, env);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.problems, file);
    throw err;
  }
  const config = normalize(tree, file);
  const problems = [...validateCore(tree, config), ...(opts.validators ?? []).flatMap((v) => v(config))];
  if (problems.length) throw new ConfigError(problems, file);
  return config;
}

function normalize(tree: Record<string, unknown>, file: string | undefined): YumenConfig {
  const server = { ...DEFAULTS.server, ...(asObject(tree.server) ?? {}) } as YumenConfig['server'];
  const dataDir = typeof tree.data_dir === 'string' ? tree.data_dir : DEFAULTS.data_dir;
  const storage = asObject(tree.storage) ?? {};
  return {
    ...(tree as Partial<YumenConfig>),
    server,
    data_dir: dataDir,
    storage: { url: typeof storage.url === 'string' ? storage.url : `sqlite:${dataDir}/yumen.db` },
    log: { level: (asObject(tree.log)?.level as YumenConfig['log']['level']) ?? DEFAULTS.log.level },
    models: Array.isArray(tree.models) ? (tree.models as YumenConfig['models']) : [],
    source: file,
  };
}

function validateCore(tree: Record<string, unknown>, c: YumenConfig): string[] {
  const p: string[] = [];
  for (const key of Object.keys(tree)) if (!TOP_LEVEL_KEYS.has(key)) p.push(`${key}: unknown section (known: ${[...TOP_LEVEL_KEYS].join(', ')})`);
  for (const key of ['server', 'storage', 'redis', 'log', 'policy', 'guard', 'governance', 'audit', 'knowledge', 'limits', 'cache']) {
    if (tree[key] !== undefined && !asObject(tree[key])) p.push(`${key}: expected a mapping`);
  }
  if (tree.models !== undefined && !Array.isArray(tree.models)) p.push('models: expected a list of models');
  if (typeof c.server.host !== 'string' || c.server.host === '') p.push('server.host: expected a host name or address');
  if (!Number.isInteger(c.server.port) || c.server.port < 0 || c.server.port > 65535) p.push(`server.port: expected an integer 0–65535, got ${JSON.stringify(c.server.port)}`);
  if (!Number.isInteger(c.server.body_limit_bytes) || c.server.body_limit_bytes < 1024) p.push('server.body_limit_bytes: expected an integer ≥ 1024');
  if (!Number.isInteger(c.server.shutdown_grace_ms) || c.server.shutdown_grace_ms < 0) p.push('server.shutdown_grace_ms: expected an integer ≥ 0');
  if (typeof c.server.trust_proxy !== 'boolean') p.push('server.trust_proxy: expected true or false');
  try {
    parseStorageUrl(c.storage.url);
  } catch (err) {
    p.push((err as Error).message);
  }
  if (c.redis !== undefined && (typeof c.redis.url !== 'string' || !/^rediss?:\/\//.test(c.redis.url))) p.push('redis.url: expected redis://host:port');
  if (c.redis?.prefix !== undefined && (typeof c.redis.prefix !== 'string' || !/^[\w:.-]{1,64}$/.test(c.redis.prefix))) p.push('redis.prefix: expected up to 64 letters, digits, ":", ".", "_" or "-"');
  if (!LOG_LEVELS.includes(c.log.level)) p.push(`log.level: expected one of ${LOG_LEVELS.join(', ')}`);
  return p;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return isMapping(v) ? v : undefined;
}
