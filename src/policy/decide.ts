import type { FindingType } from '../guard/index.ts';
import type { Action, Decision, Policy, ScanSummary, TargetModel, Zone } from './types.ts';

const SEVERITY: Record<Action, number> = { allow: 0, pseudonymize: 1, reroute: 2, block: 3 };

/** The reason a refusal names (and audit records and metrics count) for attachments that could not be read. */
export const UNREADABLE_ATTACHMENT = 'unreadable_attachment';

/** What the policy asks for one finding; a value that cannot be replaced (inside an image or a PDF) is rerouted instead. */
function actionFor(policy: Policy, finding: ScanSummary['findings'][number], zone: Zone): Action {
  const action = policy.types[finding.type]?.[zone] ?? policy.levels[finding.level][zone];
  return action === 'pseudonymize' && finding.opaque === true ? 'reroute' : action;
}

/**
 * The policy decision for one request: pure, no I/O. The strictest action any finding asks for wins
 * (block > reroute > pseudonymize > allow). A reroute re-decides against the tenant's private model,
 * and is a refusal when the tenant has no private model (`privateTarget`). Pseudonymizing a finding inside an
 * attachment is a reroute: the file would leave with the value in it.
 */
export function decide(policy: Policy, target: TargetModel, scan: ScanSummary, privateTarget?: TargetModel): Decision {
  const first = evaluate(policy, target.zone, scan);
  if (first.action === 'block') return block(scan, first.blockers);
  if (first.action === 'reroute') {
    if (!privateTarget || privateTarget.zone !== 'private') return block(scan, first.blockers);
    const second = evaluate(policy, 'private', scan);
    if (second.action === 'block' || second.action === 'reroute') return block(scan, second.blockers);
    return { action: second.action, target: privateTarget.name, zone: 'private', rerouted: true, pseudonymize: second.pseudonymize };
  }
  return { action: first.action, target: target.name, zone: target.zone, rerouted: false, pseudonymize: first.pseudonymize };
}

function evaluate(policy: Policy, zone: Zone, scan: ScanSummary) {
  let action = 'allow' as Action;
  const pseudonymize = new Set<FindingType>();
  const blockers = new Set<FindingType | typeof UNREADABLE_ATTACHMENT>();
  const note = (a: Action, what: FindingType | typeof UNREADABLE_ATTACHMENT): void => {
    if (a === 'pseudonymize' && what !== UNREADABLE_ATTACHMENT) pseudonymize.add(what);
    if (a === 'block' || a === 'reroute') blockers.add(what);
    if (SEVERITY[a] > SEVERITY[action]) action = a;
  };
  for (const f of scan.findings) note(actionFor(policy, f, zone), f.type);
  if ((scan.unreadAttachments ?? 0) > 0) {
    // Nothing of an unread attachment can be replaced: pseudonymizing it is a reroute, as for values inside one.
    const a = policy.unreadableAttachments[zone];
    note(a === 'pseudonymize' ? 'reroute' : a, UNREADABLE_ATTACHMENT);
  }
  return { action, pseudonymize, blockers };
}

function block(scan: ScanSummary, blockers: ReadonlySet<string>): Decision {
  const reasons: Record<string, number> = {};
  for (const f of scan.findings) if (blockers.has(f.type)) reasons[f.type] = (reasons[f.type] ?? 0) + 1;
  if (blockers.has(UNREADABLE_ATTACHMENT)) reasons[UNREADABLE_ATTACHMENT] = scan.unreadAttachments ?? 0;
  const classified = scan.findings.some((f) => f.level === 'classified' && blockers.has(f.type));
  const inAttachment = blockers.has(UNREADABLE_ATTACHMENT) || scan.findings.some((f) => f.opaque === true && blockers.has(f.type));
  return { action: 'block', code: classified ? 'classified_content' : 'policy_blocked', reasons, ...(inAttachment ? { inAttachment } : {}) };
}

/** `model: "auto"`: sensitive (or source code) goes to the private model, the rest to the general one. */
export function chooseAutoModel(policy: Policy, scan: ScanSummary): string | null {
  const needsPrivate = scan.findings.some((f) => f.level === 'sensitive' || f.level === 'classified' || f.type === 'source_code');
  return needsPrivate ? policy.privateModel ?? policy.generalModel : policy.generalModel ?? policy.privateModel;
}
