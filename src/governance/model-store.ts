import type { Kysely } from 'kysely';
import type { ModelConfig } from '../config/index.ts';
import { validateModelConfigs } from '../providers/index.ts';
import { createStoredModelRepository, type Database, type StoredModelRow } from '../store/index.ts';
import { yumenError } from '../util/errors.ts';
import type { SecretBox } from './secret-box.ts';
import { checkModelUrls } from './model-url-check.ts';

/** A model as the admin API shows it: never a credential, only whether one is set. */
export interface ModelView {
  name: string;
  provider: string;
  zone: string;
  source: 'api' | 'config';
  has_api_key: boolean;
  config: Record<string, unknown>;
  created_at: number | null;
  updated_at: number | null;
}

/**
 * The credentials of one model (its own and each backend's), sealed together: API keys and custom headers
 * (a header such as x-api-key or a cookie carries a credential as often as not, so every header value is sealed).
 */
interface Secrets { api_key?: string; backend_keys?: Array<string | null>; headers?: Record<string, string>; backend_headers?: Array<Record<string, string> | null> }

/** How the API shows a sealed header value: its name stays visible, its value never. */
export const SEALED_VALUE = '(sealed)';
const nonEmpty = (h: unknown): h is Record<string, string> => !!h && typeof h === 'object' && Object.keys(h).length > 0;
const masked = (h: Record<string, string>) => Object.fromEntries(Object.keys(h).map((k) => [k, SEALED_VALUE]));

function split(config: ModelConfig): { plain: Record<string, unknown>; secrets: Secrets | null } {
  const { api_key: apiKey, headers, ...rest } = config;
  const plain: Record<string, unknown> = { ...rest };
  const secrets: Secrets = {};
  if (typeof apiKey === 'string' && apiKey) secrets.api_key = apiKey;
  if (nonEmpty(headers)) secrets.headers = headers;
  if (Array.isArray(config.backends)) {
    const keys = config.backends.map((b) => (typeof b.api_key === 'string' && b.api_key ? b.api_key : null));
    const heads = config.backends.map((b) => (nonEmpty(b.headers) ? b.headers : null));
    plain.backends = config.backends.map(({ api_key: _k, headers: _h, ...b }) => b);
    if (keys.some((k) => k !== null)) secrets.backend_keys = keys;
    if (heads.some((h) => h !== null)) secrets.backend_headers = heads;
  }
  return { plain, secrets: Object.keys(secrets).length ? secrets : null };
}

/** The shown form of a model's settings: header names with sealed values (also for rows stored before headers were sealed). */
function shown(config: Record<string, unknown>, secrets: Secrets | null): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  const own = secrets?.headers ?? (nonEmpty(config.headers) ? config.headers : null);
  if (own) out.headers = masked(own);
  if (Array.isArray(config.backends)) {
    out.backends = (config.backends as Array<Record<string, unknown>>).map((b, i) => {
      const h = secrets?.backend_headers?.[i] ?? (nonEmpty(b.headers) ? b.headers : null);
      return h ? { ...b, headers: masked(h) } : b;
    });
  }
  return out;
}

/** A patch that sends a header back as SEALED_VALUE keeps its stored value. */
function keepSealed(next: unknown, current: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!nonEmpty(next)) return next as undefined;
  return Object.fromEntries(Object.entries(next).map(([k, v]) => [k, v === SEALED_VALUE && current?.[k] !== undefined ? current[k] : v]));
}

/** Validates with the providers' own checks and throws the first problem as a 400 naming the field. */
function validateShape(config: Record<string, unknown>): void {
  const problems = validateModelConfigs([config]);
  if (problems.length === 0) return;
  const first = problems[0].replace(/^models\[0\]\.?/, '');
  const param = /^([\w.[\]]+):/.exec(first)?.[1] ?? null;
  throw yumenError('invalid_request', `Invalid model: ${first}`, { param, detail: { problems: problems.map((p) => p.replace(/^models\[0\]\.?/, '')) } });
}

/**
 * Models managed through the admin API, stored in the database with their credentials sealed by SM4
 * (see secret-box.ts). Names may not clash with models of yumen.yaml.
 */
export interface ModelStoreOptions {
  configModels?: readonly ModelConfig[];
  /** `policy.air_gapped`: no external model may be added (as none may be configured). */
  airGapped?: boolean;
  /** `governance.models.allow_local_addresses` (SSRF protection off). */
  allowLocalAddresses?: boolean;
}

export function createModelStore(db: Kysely<Database>, box: SecretBox, opts: ModelStoreOptions = {}) {
  const repo = createStoredModelRepository(db);
  const fromConfig = new Map((opts.configModels ?? []).map((m) => [m.name, m]));

  /** The providers' checks, then what only the API refuses: local addresses (SSRF) and external models when air-gapped. */
  function validate(config: Record<string, unknown>): void {
    validateShape(config);
    if (!opts.allowLocalAddresses) checkModelUrls(config);
    if (opts.airGapped && config.zone === 'external') throw yumenError('invalid_request', 'zone: external models are not allowed: policy.air_gapped is true. / 离线部署不允许外部模型。', { param: 'zone' });
  }

  function view(row: StoredModelRow): ModelView {
    const secrets = row.api_key_enc ? (JSON.parse(box.decrypt(row.api_key_enc)) as Secrets) : null;
    const hasKey = !!(secrets?.api_key || secrets?.backend_keys?.some((k) => k));
    return { name: row.name, provider: row.provider, zone: row.zone, source: 'api', has_api_key: hasKey, config: shown(JSON.parse(row.config), secrets), created_at: row.created_at, updated_at: row.updated_at };
  }
  function configView(m: ModelConfig): ModelView {
    const { plain, secrets } = split(m);
    return { name: m.name, provider: m.provider, zone: m.zone, source: 'config', has_api_key: !!(secrets?.api_key || secrets?.backend_keys), config: shown(plain, secrets), created_at: null, updated_at: null };
  }
  function decrypt(row: StoredModelRow): ModelConfig {
    const config = JSON.parse(row.config) as ModelConfig;
    if (!row.api_key_enc) return config;
    const secrets = JSON.parse(box.decrypt(row.api_key_enc)) as Secrets;
    if (secrets.api_key) config.api_key = secrets.api_key;
    if (secrets.headers) config.headers = secrets.headers;
    if (secrets.backend_keys && config.backends) config.backends = config.backends.map((b, i) => (secrets.backend_keys![i] ? { ...b, api_key: secrets.backend_keys![i]! } : b));
    if (secrets.backend_headers && config.backends) config.backends = config.backends.map((b, i) => (secrets.backend_headers![i] ? { ...b, headers: secrets.backend_headers![i]! } : b));
    return config;
  }

  return {
    async list(): Promise<ModelView[]> {
      const stored = (await repo.list()).map(view);
      return [...[...fromConfig.values()].map(configView), ...stored].sort((a, b) => a.name.localeCompare(b.name));
    },
    async get(name: string): Promise<ModelView | undefined> {
      const m = fromConfig.get(name);
      if (m) return configView(m);
      const row = await repo.findByName(name);
      return row ? view(row) : undefined;
    },
    async create(config: ModelConfig): Promise<ModelView> {
      validate(config);
      if (fromConfig.has(config.name)) throw yumenError('conflict', `name: "${config.name}" is defined in yumen.yaml.`, { param: 'name' });
      const { plain, secrets } = split(config);
      return view(await repo.create({ name: config.name, provider: config.provider, zone: config.zone, config: plain, apiKeyEnc: secrets ? box.encrypt(JSON.stringify(secrets)) : null }));
    },
    /**
     * Replaces a stored model's settings. Credentials left out of `config` are kept; send `api_key: null`
     * to remove the model's own key.
     */
    async update(name: string, patch: Record<string, unknown>): Promise<ModelView | undefined> {
      if (fromConfig.has(name)) throw yumenError('forbidden', `"${name}" is defined in yumen.yaml; change it there. / 该模型定义在配置文件中。`);
      const row = await repo.findByName(name);
      if (!row) return undefined;
      const current = decrypt(row);
      const merged = { ...current, ...patch, name } as ModelConfig;
      if (patch.api_key === null) delete merged.api_key;
      if ('headers' in patch) merged.headers = keepSealed(patch.headers, current.headers);
      validate(merged);
      const { plain, secrets } = split(merged);
      return view((await repo.update(name, { provider: merged.provider, zone: merged.zone, config: plain, apiKeyEnc: secrets ? box.encrypt(JSON.stringify(secrets)) : null }))!);
    },
    async delete(name: string): Promise<boolean> {
      if (fromConfig.has(name)) throw yumenError('forbidden', `"${name}" is defined in yumen.yaml; remove it there. / 该模型定义在配置文件中。`);
      return repo.delete(name);
    },
    /** Every stored model with its credentials decrypted, ready for the model registry. */
    async listStoredModels(): Promise<ModelConfig[]> {
      return (await repo.list()).map(decrypt);
    },
  };
}
export type ModelStore = ReturnType<typeof createModelStore>;

/** Stored models with decrypted credentials, for the composition root to add to `config.models` at start. */
export async function listStoredModels(db: Kysely<Database>, box: SecretBox): Promise<ModelConfig[]> {
  return createModelStore(db, box).listStoredModels();
}

/**
 * The models the gateway serves: yumen.yaml's, then those added through the admin API (a stored model
 * whose name is also in yumen.yaml is ignored — the file wins). Reads no key when nothing is stored.
 */
export async function withStoredModels(configModels: readonly ModelConfig[], db: Kysely<Database>, box: SecretBox): Promise<ModelConfig[]> {
  const rows = await createStoredModelRepository(db).list();
  if (rows.length === 0) return [...configModels];
  const names = new Set(configModels.map((m) => m.name));
  return [...configModels, ...(await listStoredModels(db, box)).filter((m) => !names.has(m.name))];
}
