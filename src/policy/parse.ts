import { publicTermProblem, PUBLIC_TERMS_MAX, type FindingType, type Level } from '../guard/index.ts';
import { DEFAULT_POLICY } from './defaults.ts';
import type { Action, Policy, ZoneActions } from './types.ts';
import { isMapping } from '../util/mapping.ts';

const LEVELS: readonly Level[] = ['public', 'internal', 'sensitive', 'classified'];
const ACTIONS: readonly Action[] = ['allow', 'pseudonymize', 'reroute', 'block'];
const FINDING_TYPES: readonly string[] = [
  'cn_id_card', 'cn_mobile', 'cn_landline', 'bank_card', 'cn_uscc', 'email', 'ip_address', 'passport', 'cn_permit',
  'license_plate', 'person_name', 'address', 'secret', 'classified_marking', 'custom_term', 'source_code',
];
const KEYS = new Set(['private_model', 'general_model', 'levels', 'types', 'finding_levels', 'custom_terms', 'public_terms', 'output', 'unreadable_attachments']);

/**
 * Reads one policy block (the `policy:` defaults or a tenant's overrides) over a base policy.
 * Pure: returns problems as "path: what was expected" instead of throwing.
 */
export function parsePolicy(raw: unknown, base: Policy = DEFAULT_POLICY, path = 'policy'): { policy: Policy; problems: string[] } {
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { policy: base, problems };
  if (!isMapping(raw)) return { policy: base, problems: [`${path}: expected a mapping`] };
  const r = raw;
  for (const k of Object.keys(r)) if (!KEYS.has(k) && k !== 'tenants' && k !== 'air_gapped') problems.push(`${path}.${k}: unknown key (known: ${[...KEYS].join(', ')})`);

  const levels = { ...base.levels } as Record<Level, ZoneActions>;
  for (const [level, v] of entries(r.levels, `${path}.levels`, problems)) {
    if (!LEVELS.includes(level as Level)) problems.push(`${path}.levels.${level}: unknown level (known: ${LEVELS.join(', ')})`);
    else levels[level as Level] = zoneActions(v, levels[level as Level], `${path}.levels.${level}`, problems);
  }
  const types = { ...base.types } as Partial<Record<FindingType, ZoneActions>>;
  for (const [type, v] of entries(r.types, `${path}.types`, problems)) {
    if (!FINDING_TYPES.includes(type)) problems.push(`${path}.types.${type}: unknown finding type`);
    else types[type as FindingType] = zoneActions(v, types[type as FindingType] ?? levels.public, `${path}.types.${type}`, problems);
  }
  const findingLevels = { ...base.findingLevels } as Partial<Record<FindingType, Level>>;
  for (const [type, v] of entries(r.finding_levels, `${path}.finding_levels`, problems)) {
    if (!FINDING_TYPES.includes(type)) problems.push(`${path}.finding_levels.${type}: unknown finding type`);
    else if (!LEVELS.includes(v as Level)) problems.push(`${path}.finding_levels.${type}: expected one of ${LEVELS.join(', ')}`);
    else findingLevels[type as FindingType] = v as Level;
  }
  const customTerms = r.custom_terms === undefined ? base.customTerms : stringList(r.custom_terms, `${path}.custom_terms`, problems);
  const publicTerms = r.public_terms === undefined ? base.publicTerms : publicTermList(r.public_terms, `${path}.public_terms`, problems);
  const output = { ...base.output };
  for (const [k, v] of entries(r.output, `${path}.output`, problems)) {
    if (k === 'keywords') output.keywords = stringList(v, `${path}.output.keywords`, problems);
    else if (k === 'builtin_keywords' && typeof v === 'boolean') output.useBuiltinKeywords = v;
    else if (k === 'keyword_action' && (v === 'mask' || v === 'refuse')) output.keywordAction = v;
    else if (k === 'new_sensitive' && (v === 'mask' || v === 'allow')) output.newSensitiveAction = v;
    else problems.push(`${path}.output.${k}: expected keywords: [..], builtin_keywords: true|false, keyword_action: mask|refuse, new_sensitive: mask|allow`);
  }
  const policy: Policy = Object.freeze({
    levels: Object.freeze(levels),
    types: Object.freeze(types),
    unreadableAttachments: r.unreadable_attachments === undefined
      ? base.unreadableAttachments
      : zoneActions(r.unreadable_attachments, base.unreadableAttachments, `${path}.unreadable_attachments`, problems),
    privateModel: optionalName(r.private_model, base.privateModel, `${path}.private_model`, problems),
    generalModel: optionalName(r.general_model, base.generalModel, `${path}.general_model`, problems),
    findingLevels: Object.freeze(findingLevels),
    customTerms: Object.freeze([...customTerms]),
    publicTerms: Object.freeze([...publicTerms]),
    output: Object.freeze({ ...output, keywords: Object.freeze([...output.keywords]) }),
  });
  return { policy, problems };
}

function zoneActions(v: unknown, base: ZoneActions, path: string, problems: string[]): ZoneActions {
  if (typeof v === 'string') {
    if (ACTIONS.includes(v as Action)) return Object.freeze({ private: v as Action, external: v as Action });
    problems.push(`${path}: expected one of ${ACTIONS.join(', ')} or { private: …, external: … }`);
    return base;
  }
  const out = { ...base };
  for (const [zone, a] of entries(v, path, problems)) {
    if (zone !== 'private' && zone !== 'external') problems.push(`${path}.${zone}: expected "private" or "external"`);
    else if (!ACTIONS.includes(a as Action)) problems.push(`${path}.${zone}: expected one of ${ACTIONS.join(', ')}`);
    else out[zone] = a as Action;
  }
  return Object.freeze(out);
}

function entries(v: unknown, path: string, problems: string[]): Array<[string, unknown]> {
  if (v === undefined || v === null) return [];
  if (!isMapping(v)) {
    problems.push(`${path}: expected a mapping`);
    return [];
  }
  return Object.entries(v);
}

function stringList(v: unknown, path: string, problems: string[]): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.length === 0)) {
    problems.push(`${path}: expected a list of non-empty strings`);
    return [];
  }
  return v as string[];
}

/** Public terms: strings that are no person's name or address in the department (guard/public-terms.ts). */
function publicTermList(v: unknown, path: string, problems: string[]): string[] {
  if (!Array.isArray(v)) {
    problems.push(`${path}: expected a list of strings`);
    return [];
  }
  if (v.length > PUBLIC_TERMS_MAX) {
    problems.push(`${path}: at most ${PUBLIC_TERMS_MAX} terms, got ${v.length}`);
    return [];
  }
  const bad = v.map((t, i) => [i, publicTermProblem(t)] as const).filter(([, p]) => p !== null);
  for (const [i, p] of bad.slice(0, 5)) problems.push(`${path}[${i}]: ${p}`);
  return bad.length === 0 ? (v as string[]) : [];
}

function optionalName(v: unknown, base: string | null, path: string, problems: string[]): string | null {
  if (v === undefined) return base;
  if (v === null || (typeof v === 'string' && v.length > 0)) return v as string | null;
  problems.push(`${path}: expected a model name`);
  return base;
}
