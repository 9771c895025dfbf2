export type { Action, Decision, OutputAction, Policy, ScanSummary, TargetModel, Zone, ZoneActions } from './types.ts';
export { DEFAULT_POLICY } from './defaults.ts';
export { decide, chooseAutoModel, UNREADABLE_ATTACHMENT } from './decide.ts';
export { parsePolicy } from './parse.ts';
export { buildPolicySet, type PolicySet } from './policy-set.ts';
export { effectivePolicy, policyToConfig, type PolicyLayer } from './effective.ts';
