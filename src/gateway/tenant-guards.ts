import { createGuard, type Guard } from '../guard/index.ts';
import type { Policy, PolicySet } from '../policy/index.ts';
import { OutputGuard } from './output-guard.ts';

export interface TenantGuard { policy: Policy; guard: Guard; output: OutputGuard }

/**
 * Guards are compiled once per tenant (levels, dictionaries, keyword automata) and reused for every
 * request; `invalidate` drops them when a tenant's policy or dictionary changes.
 */
export class TenantGuards {
  readonly #policies: PolicySet;
  readonly #byTenant = new Map<string, TenantGuard>();

  constructor(policies: PolicySet) {
    this.#policies = policies;
  }

  get policies(): PolicySet {
    return this.#policies;
  }

  for(tenantName: string): TenantGuard {
    let entry = this.#byTenant.get(tenantName);
    if (!entry) {
      const policy = this.#policies.forTenant(tenantName);
      const guard = createGuard({ levels: policy.findingLevels, customTerms: policy.customTerms });
      entry = { policy, guard, output: new OutputGuard(policy, guard) };
      this.#byTenant.set(tenantName, entry);
    }
    return entry;
  }

  invalidate(tenantName?: string): void {
    if (tenantName === undefined) this.#byTenant.clear();
    else this.#byTenant.delete(tenantName);
  }
}
