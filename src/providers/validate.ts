/**
 * Pure validation of `models:` entries. Returns human messages with key paths; no file-system checks
 * (see `checkModelFiles` for those).
 */
import { knownProviders, presetOf } from './presets.ts';
import { isMapping } from '../util/mapping.ts';

const ZONE_MSG = 'required, one of "private" | "external"';


function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function posInt(v: unknown): boolean { return typeof v === 'number' && Number.isInteger(v) && v > 0; }
function nonNegInt(v: unknown): boolean { return typeof v === 'number' && Number.isInteger(v) && v >= 0; }

function checkHeaders(v: unknown, path: string, errors: string[]): void {
  if (v === undefined) return;
  if (!isMapping(v) || !Object.values(v).every((x) => typeof x === 'string')) errors.push(`${path}: must be a map of header name to string`);
}

export function validateModelConfigs(models: unknown[]): string[] {
  const errors: string[] = [];
  if (!Array.isArray(models)) return ['models: must be a list'];
  const seen = new Map<string, number>();
  models.forEach((m, i) => {
    const p = `models[${i}]`;
    if (!isMapping(m)) { errors.push(`${p}: must be a mapping`); return; }
    if (typeof m.name !== 'string' || m.name.trim() === '') {
      errors.push(`${p}.name: required, a non-empty string`);
    } else if (seen.has(m.name)) {
      errors.push(`${p}.name: duplicate model name "${m.name}" (also models[${seen.get(m.name)}])`);
    } else {
      seen.set(m.name, i);
    }
    if (m.zone !== 'private' && m.zone !== 'external') {
      errors.push(m.zone === undefined ? `${p}.zone: ${ZONE_MSG}` : `${p}.zone: ${ZONE_MSG}, got ${JSON.stringify(m.zone)}`);
    }
    if (typeof m.provider !== 'string') {
      errors.push(`${p}.provider: required (known: ${knownProviders().join(', ')})`);
      return;
    }
    const preset = presetOf(m.provider);
    if (preset === undefined) {
      errors.push(`${p}.provider: unknown provider "${m.provider}" (known: ${knownProviders().join(', ')})`);
      return;
    }
    if (m.model !== undefined && typeof m.model !== 'string') errors.push(`${p}.model: must be a string`);
    if (m.type !== undefined && m.type !== 'chat' && m.type !== 'embeddings' && m.type !== 'rerank') errors.push(`${p}.type: one of "chat" | "embeddings" | "rerank"`);
    if (m.timeouts !== undefined) {
      if (!isMapping(m.timeouts)) {
        errors.push(`${p}.timeouts: must be a mapping of connect_ms, first_byte_ms, idle_ms, total_ms`);
      } else {
        for (const [k, v] of Object.entries(m.timeouts)) {
          if (!['connect_ms', 'first_byte_ms', 'idle_ms', 'total_ms'].includes(k)) errors.push(`${p}.timeouts.${k}: unknown key (known: connect_ms, first_byte_ms, idle_ms, total_ms)`);
          else if (!posInt(v)) errors.push(`${p}.timeouts.${k}: must be a positive integer (milliseconds)`);
        }
      }
    }
    if (preset.protocol === 'llama-cpp') {
      if (m.type === 'rerank') errors.push(`${p}.type: the embedded engine serves no rerank (serve the reranker with llama-server, vLLM or Xinference)`);
      if (typeof m.path !== 'string' || m.path === '') errors.push(`${p}.path: required for provider llama-cpp (a .gguf file)`);
      if (m.backends !== undefined) errors.push(`${p}.backends: not supported for provider llama-cpp`);
      for (const k of ['threads', 'parallel', 'context_size'] as const) {
        if (m[k] !== undefined && !posInt(m[k])) errors.push(`${p}.${k}: must be a positive integer`);
      }
      if (m.gpu_layers !== undefined && m.gpu_layers !== 'auto' && !nonNegInt(m.gpu_layers)) errors.push(`${p}.gpu_layers: a non-negative integer or "auto"`);
      checkLora(m.lora, `${p}.lora`, errors);
      return;
    }
    // HTTP providers
    for (const k of ['retries', 'cooldown_ms', 'backoff_ms'] as const) {
      if (m[k] !== undefined && !nonNegInt(m[k])) errors.push(`${p}.${k}: must be a non-negative integer`);
    }
    if (m.balance !== undefined && m.balance !== 'round-robin' && m.balance !== 'least-in-flight') {
      errors.push(`${p}.balance: one of "round-robin" | "least-in-flight"`);
    }
    if (m.api_key !== undefined && typeof m.api_key !== 'string') errors.push(`${p}.api_key: must be a string`);
    checkHeaders(m.headers, `${p}.headers`, errors);
    if (m.base_url !== undefined && !isHttpUrl(m.base_url)) errors.push(`${p}.base_url: must be an http(s) URL, got ${JSON.stringify(m.base_url)}`);
    const defaultUrl = m.base_url ?? preset.baseUrl;
    if (m.backends !== undefined) {
      if (!Array.isArray(m.backends) || m.backends.length === 0) {
        errors.push(`${p}.backends: must be a non-empty list`);
      } else {
        m.backends.forEach((b, j) => {
          const bp = `${p}.backends[${j}]`;
          if (!isMapping(b)) { errors.push(`${bp}: must be a mapping`); return; }
          if (b.base_url === undefined) {
            if (defaultUrl === undefined) errors.push(`${bp}.base_url: required`);
          } else if (!isHttpUrl(b.base_url)) {
            errors.push(`${bp}.base_url: must be an http(s) URL, got ${JSON.stringify(b.base_url)}`);
          }
          if (b.weight !== undefined && !(typeof b.weight === 'number' && b.weight > 0)) errors.push(`${bp}.weight: must be a positive number`);
          if (b.model !== undefined && typeof b.model !== 'string') errors.push(`${bp}.model: must be a string`);
          if (b.api_key !== undefined && typeof b.api_key !== 'string') errors.push(`${bp}.api_key: must be a string`);
          checkHeaders(b.headers, `${bp}.headers`, errors);
        });
      }
    } else if (defaultUrl === undefined) {
      errors.push(`${p}.base_url: required for provider ${m.provider} (or list backends)`);
    }
    if (preset.protocol === 'azure') {
      if (m.api_version !== undefined && typeof m.api_version !== 'string') errors.push(`${p}.api_version: must be a string such as "2024-10-21"`);
      if (m.deployment !== undefined && typeof m.deployment !== 'string') errors.push(`${p}.deployment: must be a string`);
    }
    if (preset.protocol === 'anthropic' && (m.type === 'embeddings' || m.type === 'rerank')) errors.push(`${p}.type: provider anthropic serves no ${m.type}`);
  });
  return errors;
}

/** `lora: [{ path, scale }]` on an embedded model: adapter GGUF files and their weights. */
function checkLora(lora: unknown, p: string, errors: string[]): void {
  if (lora === undefined) return;
  if (!Array.isArray(lora)) { errors.push(`${p}: must be a list of { path, scale }`); return; }
  lora.forEach((a, i) => {
    if (!isMapping(a)) { errors.push(`${p}[${i}]: must be a mapping { path, scale }`); return; }
    if (typeof a.path !== 'string' || a.path === '') errors.push(`${p}[${i}].path: required (a LoRA adapter .gguf file)`);
    if (a.scale !== undefined && !(typeof a.scale === 'number' && Number.isFinite(a.scale))) errors.push(`${p}[${i}].scale: must be a number (default 1)`);
    for (const k of Object.keys(a)) if (k !== 'path' && k !== 'scale') errors.push(`${p}[${i}].${k}: unknown key (known: path, scale)`);
  });
}
