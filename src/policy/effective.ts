import { parsePolicy } from './parse.ts';
import type { PolicySet } from './policy-set.ts';
import type { Policy } from './types.ts';

/** One layer of a department's policy: where it comes from and the JSON it holds. */
export interface PolicyLayer {
  /** `config` (yumen.yaml `policy:`), `policy.tenants.<name>`, or `department:<id>` (the admin API), root first. */
  source: string;
  policy: unknown;
}

/**
 * The policy a department's requests are held to, and the layers it was made of: the configuration's
 * defaults, then `policy.tenants.<name>`, then each department's own policy from the root down to this one,
 * each merged over the one before. The gateway enforces exactly this; the admin API shows exactly this.
 * A stored layer that no longer parses is skipped (it was checked when saved) and marked `skipped`.
 */
export function effectivePolicy(
  set: PolicySet,
  tenantName: string,
  chain: ReadonlyArray<{ tenantId: string; policy: unknown }>,
): { policy: Policy; layers: Array<PolicyLayer & { skipped?: string[] }> } {
  const layers: Array<PolicyLayer & { skipped?: string[] }> = [{ source: 'config', policy: set.rawDefaults }];
  const own = set.rawTenant(tenantName);
  if (own !== undefined) layers.push({ source: `policy.tenants.${tenantName}`, policy: own });
  let policy = set.forTenant(tenantName);
  for (const layer of chain) {
    const parsed = parsePolicy(layer.policy, policy, `department ${layer.tenantId}`);
    if (parsed.problems.length === 0) {
      policy = parsed.policy;
      layers.push({ source: `department:${layer.tenantId}`, policy: layer.policy });
    } else {
      layers.push({ source: `department:${layer.tenantId}`, policy: layer.policy, skipped: parsed.problems });
    }
  }
  return { policy, layers };
}

/** A resolved policy written back in the form yumen.yaml and the admin API use (snake_case keys). */
export function policyToConfig(p: Policy): Record<string, unknown> {
  return {
    levels: p.levels,
    types: p.types,
    unreadable_attachments: p.unreadableAttachments,
    private_model: p.privateModel,
    general_model: p.generalModel,
    finding_levels: p.findingLevels,
    custom_terms: p.customTerms,
    public_terms: p.publicTerms,
    output: { keywords: p.output.keywords, builtin_keywords: p.output.useBuiltinKeywords, keyword_action: p.output.keywordAction, new_sensitive: p.output.newSensitiveAction },
  };
}
