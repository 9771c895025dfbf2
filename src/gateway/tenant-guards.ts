import { createGuard, type CustomTerm, type Guard } from '../guard/index.ts';
import { effectivePolicy, type Policy, type PolicySet } from '../policy/index.ts';
import { OutputGuard } from './output-guard.ts';

export interface TenantGuard { policy: Policy; guard: Guard; output: OutputGuard }

/** Department policies and dictionaries kept by governance (the admin API), read by shape. */
export interface PolicySource {
  /** Policies from the root department down to this one; each layer is merged over the one above. */
  policyChain(tenantId: string): Promise<Array<{ tenantId: string; policy: unknown }>>;
  /** Custom terms of the department and its ancestors. */
  dictionaryTerms(tenantId: string): Promise<Array<{ term: string; label?: string }>>;
}

/** `inputs`: what the guards were compiled from, so a refresh that finds nothing changed keeps them. */
interface Compiled { guards: TenantGuard; inputs: string }
interface Entry { loaded: Promise<Compiled>; at: number }

/**
 * Guards are compiled once per department (levels, dictionaries, keyword automata) and reused for every
 * request. A department's policy is the configuration's (`policy.tenants.<name>` over `policy`) with
 * the admin API's layers merged over it; entries are refreshed after `refreshMs` so that changes made on
 * another instance arrive too, and `invalidate` drops them at once after a local change. A refresh only
 * recompiles when the policies or dictionaries differ: compiling a 10,000-term keyword library takes
 * ≈ 0.1 s of CPU, which would otherwise stall the server every `refreshMs` for nothing.
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

  async for(tenant: { tenantId: string; tenantName: string }): Promise<TenantGuard> {
    return (await this.#entry(tenant)).guards;
  }

  #entry(tenant: { tenantId: string; tenantName: string }): Promise<Compiled> {
    const now = Date.now();
    const entry = this.#byTenant.get(tenant.tenantId);
    if (entry && now - entry.at < this.#refreshMs) return entry.loaded;
    if (entry) {
      // Stale: keep serving the previous guard until the new one is ready (one reload at a time).
      entry.at = now;
      const previous = entry.loaded;
      const loaded = previous.then((p) => this.#load(tenant, p), () => this.#load(tenant));
      loaded.then(() => this.#byTenant.set(tenant.tenantId, { loaded, at: Date.now() }), () => {});
      return previous;
    }
    const loaded = this.#load(tenant);
    this.#byTenant.set(tenant.tenantId, { loaded, at: now });
    // A failed load is not cached: the next request tries again.
    loaded.catch(() => this.#byTenant.delete(tenant.tenantId));
    return loaded;
  }

  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.#byTenant.clear();
    else this.#byTenant.delete(tenantId);
  }

  async #load(tenant: { tenantId: string; tenantName: string }, previous?: Compiled): Promise<Compiled> {
    let policy = this.#policies.forTenant(tenant.tenantName);
    let terms: Array<string | CustomTerm> = [...policy.customTerms];
    let inputs = '';
    if (this.#source) {
      const [chain, dictionary] = await Promise.all([this.#source.policyChain(tenant.tenantId), this.#source.dictionaryTerms(tenant.tenantId)]);
      inputs = JSON.stringify([chain, dictionary]);
      if (previous && previous.inputs === inputs) return previous;
      // The one computation of the effective policy, shared with the admin API (policy/effective.ts).
      policy = effectivePolicy(this.#policies, tenant.tenantName, chain).policy;
      terms = [...policy.customTerms, ...dictionary.map((t) => ({ term: t.term, label: t.label }))];
    } else if (previous) {
      return previous; // the configuration's policies do not change while the server runs
    }
    const options = { levels: policy.findingLevels, customTerms: terms.map((t) => (typeof t === 'string' ? { term: t } : t)) };
    const guard = createGuard({ ...options, publicTerms: policy.publicTerms });
    return { guards: { policy, guard, output: new OutputGuard(policy, options) }, inputs };
  }
}
