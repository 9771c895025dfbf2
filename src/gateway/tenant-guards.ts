import { createGuard, type CustomTerm, type Guard } from '../guard/index.ts';
import { parsePolicy, type Policy, type PolicySet } from '../policy/index.ts';
import { OutputGuard } from './output-guard.ts';

export interface TenantGuard { policy: Policy; guard: Guard; output: OutputGuard }

/** Department policies and dictionaries kept by governance (the admin API), read by shape. */
export interface PolicySource {
  /** Policies from the root department down to this one; each layer is merged over the one above. */
  policyChain(tenantId: string): Promise<Array<{ tenantId: string; policy: unknown }>>;
  /** Custom terms of the department and its ancestors. */
  dictionaryTerms(tenantId: string): Promise<Array<{ term: string; label?: string }>>;
}

interface Entry { loaded: Promise<TenantGuard>; at: number }

/**
 * Guards are compiled once per department (levels, dictionaries, keyword automata) and reused for every
 * request. A department's policy is the configuration's (`policy.tenants.<name>` over `policy`) with
 * the admin API's layers merged over it; entries are refreshed after `refreshMs` so that changes made on
 * another instance arrive too, and `invalidate` drops them at once after a local change.
 */
export class TenantGuards {
  readonly #policies: PolicySet;
  readonly #source: PolicySource | undefined;
  readonly #refreshMs: number;
  readonly #byTenant = new Map<string, Entry>();

  constructor(policies: PolicySet, opts: { source?: PolicySource; refreshMs?: number } = {}) {
    this.#policies = policies;
    this.#source = opts.source;
    this.#refreshMs = opts.refreshMs ?? 30_000;
  }

  for(tenant: { tenantId: string; tenantName: string }): Promise<TenantGuard> {
    const now = Date.now();
    const entry = this.#byTenant.get(tenant.tenantId);
    if (entry && now - entry.at < this.#refreshMs) return entry.loaded;
    const loaded = this.#load(tenant);
    if (entry) {
      // Stale: keep serving the previous guard until the new one is compiled (one reload at a time).
      entry.at = now;
      loaded.then(() => this.#byTenant.set(tenant.tenantId, { loaded, at: Date.now() }), () => {});
      return entry.loaded;
    }
    this.#byTenant.set(tenant.tenantId, { loaded, at: now });
    // A failed load is not cached: the next request tries again.
    loaded.catch(() => this.#byTenant.delete(tenant.tenantId));
    return loaded;
  }

  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.#byTenant.clear();
    else this.#byTenant.delete(tenantId);
  }

  async #load(tenant: { tenantId: string; tenantName: string }): Promise<TenantGuard> {
    let policy = this.#policies.forTenant(tenant.tenantName);
    let terms: Array<string | CustomTerm> = [...policy.customTerms];
    if (this.#source) {
      const [chain, dictionary] = await Promise.all([this.#source.policyChain(tenant.tenantId), this.#source.dictionaryTerms(tenant.tenantId)]);
      for (const layer of chain) {
        // Stored policies were validated when saved; a layer that no longer parses is skipped, not fatal.
        const parsed = parsePolicy(layer.policy, policy, `department ${layer.tenantId}`);
        if (parsed.problems.length === 0) policy = parsed.policy;
      }
      terms = [...policy.customTerms, ...dictionary.map((t) => ({ term: t.term, label: t.label }))];
    }
    const options = { levels: policy.findingLevels, customTerms: terms.map((t) => (typeof t === 'string' ? { term: t } : t)) };
    return { policy, guard: createGuard(options), output: new OutputGuard(policy, options) };
  }
}
