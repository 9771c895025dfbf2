import { DEFAULT_POLICY } from './defaults.ts';
import { parsePolicy } from './parse.ts';
import type { Policy, Zone } from './types.ts';
import { isMapping } from '../util/mapping.ts';

/** Every tenant's policy, resolved once at start from the `policy:` section. */
export interface PolicySet {
  readonly airGapped: boolean;
  readonly defaults: Policy;
  forTenant(name: string): Policy;
  /** The `policy:` section as written (without `tenants` and `air_gapped`), for showing layers. */
  readonly rawDefaults: Record<string, unknown>;
  /** `policy.tenants.<name>` as written, or undefined. */
  rawTenant(name: string): unknown;
}

/**
 * Builds the policy set and checks it against the configured models: reroute targets must exist
 * and be private; in air-gapped mode (`policy.air_gapped: true`) no external model may be configured at all.
 */
export function buildPolicySet(raw: unknown, models: ReadonlyArray<{ name: string; zone: Zone }>): { set: PolicySet; problems: string[] } {
  const section = isMapping(raw) ? raw : {};
  const { policy: defaults, problems } = parsePolicy(section);
  const airGapped = section.air_gapped === true;
  if (section.air_gapped !== undefined && typeof section.air_gapped !== 'boolean') problems.push('policy.air_gapped: expected true or false');
  const tenants = new Map<string, Policy>();
  const tenantSection = section.tenants;
  if (tenantSection !== undefined && !isMapping(tenantSection)) {
    problems.push('policy.tenants: expected a mapping of department name → policy');
  } else if (tenantSection) {
    for (const [name, v] of Object.entries(tenantSection)) {
      const parsed = parsePolicy(v, defaults, `policy.tenants.${name}`);
      problems.push(...parsed.problems);
      tenants.set(name, parsed.policy);
    }
  }
  const zones = new Map(models.map((m) => [m.name, m.zone]));
  if (airGapped) {
    for (const m of models) if (m.zone === 'external') problems.push(`models: "${m.name}" is zone external, but policy.air_gapped is true (离线部署不允许外部模型)`);
  }
  for (const [label, p] of [['policy', defaults] as const, ...[...tenants].map(([n, p]) => [`policy.tenants.${n}`, p] as const)]) {
    if (p.privateModel !== null) {
      const z = zones.get(p.privateModel);
      if (!z) problems.push(`${label}.private_model: no configured model "${p.privateModel}"`);
      else if (z !== 'private') problems.push(`${label}.private_model: "${p.privateModel}" must be zone private`);
    }
    if (p.generalModel !== null && !zones.has(p.generalModel)) problems.push(`${label}.general_model: no configured model "${p.generalModel}"`);
  }
  const { tenants: rawTenants, air_gapped: _airGapped, ...rawDefaults } = section;
  const set: PolicySet = {
    airGapped,
    defaults,
    forTenant: (name) => tenants.get(name) ?? defaults,
    rawDefaults,
    rawTenant: (name) => (isMapping(rawTenants) && Object.hasOwn(rawTenants, name) ? rawTenants[name] : undefined),
  };
  return { set, problems };
}

export { DEFAULT_POLICY };
