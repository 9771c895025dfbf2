import type { YumenConfig } from '../../config/index.ts';
import { isMapping } from '../../util/mapping.ts';

/** Limits that apply per department (tenant) or per API key. Absent = unlimited. */
export interface RateLimits {
  requests_per_min?: number;
  tokens_per_min?: number;
  tokens_per_day?: number;
  tokens_per_month?: number;
}

export interface TenantLimits extends RateLimits {
  /** Share of a contended backend relative to other departments (default 1). */
  weight?: number;
  /** Strict priority class: a higher number is always served first (default 0). */
  priority?: number;
}

export interface BackendLimits {
  /** Calls in flight to this model at once; more wait in the fair queue. */
  max_concurrency: number;
  /** Waiting calls beyond which new ones get 429 at once (default queue.max_queue). */
  max_queue?: number;
  /** Longest a call waits for a slot before 429 (default queue.max_wait_ms). */
  max_wait_ms?: number;
}

/**
 * The `limits:` section of yumen.yaml.
 *
 * @example
 * limits:
 *   defaults: { requests_per_min: 600, tokens_per_day: 2000000 }        # every department
 *   tenants:
 *     财政局: { tokens_per_month: 50000000, weight: 3, priority: 0 }
 *   key_defaults: { requests_per_min: 120 }                              # every key
 *   keys: { 7d3f…-key-id: { tokens_per_day: 100000 } }
 *   backends: { local-qwen: { max_concurrency: 2 } }
 *   queue: { max_wait_ms: 30000, max_queue: 1000 }
 */
export interface LimitsConfig {
  defaults?: TenantLimits;
  tenants?: Record<string, TenantLimits>;
  key_defaults?: RateLimits;
  keys?: Record<string, RateLimits>;
  backends?: Record<string, BackendLimits>;
  /** lease_ms: in a cluster (Redis), how long a slot of a node that died stays taken (default 15000). */
  queue?: { max_wait_ms?: number; max_queue?: number; lease_ms?: number };
}

export const QUEUE_DEFAULTS = { max_wait_ms: 30_000, max_queue: 1000 } as const;

const RATE_KEYS = ['requests_per_min', 'tokens_per_min', 'tokens_per_day', 'tokens_per_month'] as const;
const TENANT_KEYS = [...RATE_KEYS, 'weight', 'priority'] as const;


function checkLimits(path: string, v: unknown, allowed: readonly string[], p: string[]): void {
  if (!isMapping(v)) {
    p.push(`${path}: expected a mapping`);
    return;
  }
  for (const [k, val] of Object.entries(v)) {
    if (!allowed.includes(k)) p.push(`${path}.${k}: unknown key (known: ${allowed.join(', ')})`);
    else if (k === 'weight') {
      if (!(typeof val === 'number' && val > 0 && Number.isFinite(val))) p.push(`${path}.weight: expected a number > 0`);
    } else if (k === 'priority') {
      if (!Number.isInteger(val)) p.push(`${path}.priority: expected an integer (higher is served first)`);
    } else if (!(Number.isInteger(val) && (val as number) >= 0)) p.push(`${path}.${k}: expected an integer ≥ 0`);
  }
}

/** ConfigValidator for `limits:`; problems as "limits.key.path: what was expected". */
export function validateLimitsConfig(config: YumenConfig): string[] {
  const l = config.limits;
  const p: string[] = [];
  if (l === undefined) return p;
  if (!isMapping(l)) return ['limits: expected a mapping'];
  const known = ['defaults', 'tenants', 'key_defaults', 'keys', 'backends', 'queue'];
  for (const k of Object.keys(l)) if (!known.includes(k)) p.push(`limits.${k}: unknown key (known: ${known.join(', ')})`);
  if (l.defaults !== undefined) checkLimits('limits.defaults', l.defaults, TENANT_KEYS, p);
  if (l.key_defaults !== undefined) checkLimits('limits.key_defaults', l.key_defaults, RATE_KEYS, p);
  for (const [section, allowed] of [['tenants', TENANT_KEYS], ['keys', RATE_KEYS]] as const) {
    const m = l[section];
    if (m === undefined) continue;
    if (!isMapping(m)) p.push(`limits.${section}: expected a mapping of names to limits`);
    else for (const [name, v] of Object.entries(m)) checkLimits(`limits.${section}.${name}`, v, allowed, p);
  }
  if (l.backends !== undefined) {
    if (!isMapping(l.backends)) p.push('limits.backends: expected a mapping of model names to { max_concurrency }');
    else {
      const models = new Set((config.models ?? []).map((m) => m.name));
      for (const [name, v] of Object.entries(l.backends)) {
        const path = `limits.backends.${name}`;
        if (!isMapping(v)) { p.push(`${path}: expected a mapping`); continue; }
        if (models.size && !models.has(name)) p.push(`${path}: no model of that name in models:`);
        for (const k of Object.keys(v)) if (!['max_concurrency', 'max_queue', 'max_wait_ms'].includes(k)) p.push(`${path}.${k}: unknown key (known: max_concurrency, max_queue, max_wait_ms)`);
        if (!(Number.isInteger(v.max_concurrency) && (v.max_concurrency as number) >= 1)) p.push(`${path}.max_concurrency: expected an integer ≥ 1`);
        if (v.max_queue !== undefined && !(Number.isInteger(v.max_queue) && (v.max_queue as number) >= 0)) p.push(`${path}.max_queue: expected an integer ≥ 0`);
        if (v.max_wait_ms !== undefined && !(Number.isInteger(v.max_wait_ms) && (v.max_wait_ms as number) >= 0)) p.push(`${path}.max_wait_ms: expected an integer ≥ 0`);
      }
    }
  }
  if (l.queue !== undefined) {
    if (!isMapping(l.queue)) p.push('limits.queue: expected a mapping');
    else for (const [k, v] of Object.entries(l.queue)) {
      if (k !== 'max_wait_ms' && k !== 'max_queue' && k !== 'lease_ms') p.push(`limits.queue.${k}: unknown key (known: max_wait_ms, max_queue, lease_ms)`);
      else if (!(Number.isInteger(v) && (v as number) >= 0)) p.push(`limits.queue.${k}: expected an integer ≥ 0`);
    }
  }
  return p;
}
