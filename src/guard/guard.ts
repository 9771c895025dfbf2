import type { Finding, FindingType, Guard, GuardOptions, Level, RawFinding, ScanResult } from './types.ts';
import { FINDING_TYPES } from './types.ts';
import { DEFAULT_LEVELS, isLevel, levelRank } from './levels.ts';
import { normalize, toOriginal } from './normalize.ts';
import { detectDigits } from './detectors/digits.ts';
import { detectCodes } from './detectors/codes.ts';
import { detectSecrets } from './detectors/secrets.ts';
import { detectClassified } from './detectors/classified.ts';
import { detectNames, NAME_KEYWORDS } from './detectors/names.ts';
import { ADDRESS_STARTS, detectAddresses } from './detectors/address.ts';
import { KeywordIndex } from './keywords.ts';
import { detectSourceCode } from './detectors/source-code.ts';
import { createCustomTermMatcher } from './detectors/custom-terms.ts';

/**
 * When two findings overlap, the more trustworthy one wins: validated and exact-prefix types over
 * context-based ones, tenant dictionaries over heuristics. source_code is a container and never competes.
 */
const PRIORITY: Readonly<Record<FindingType, number>> = {
  secret: 100, classified_marking: 95, cn_id_card: 90, custom_term: 88, bank_card: 85, cn_uscc: 85, email: 82,
  cn_mobile: 80, cn_permit: 78, cn_landline: 75, passport: 70, license_plate: 65, ip_address: 60, address: 50,
  person_name: 40, source_code: 0,
};

/** Keep a non-overlapping set of findings (source_code excepted), preferring priority, then length. */
export function resolveOverlaps(found: RawFinding[]): RawFinding[] {
  const containers = found.filter((f) => f.type === 'source_code');
  const rest = found.filter((f) => f.type !== 'source_code').sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: RawFinding[] = [];
  let i = 0;
  while (i < rest.length) {
    // Gather a cluster of chained overlaps.
    let j = i + 1;
    let end = rest[i].end;
    while (j < rest.length && rest[j].start < end) end = Math.max(end, rest[j++].end);
    if (j === i + 1) kept.push(rest[i]);
    else {
      const cluster = rest.slice(i, j).sort(
        (a, b) => PRIORITY[b.type] - PRIORITY[a.type] || (b.end - b.start) - (a.end - a.start) || b.score - a.score,
      );
      const chosen: RawFinding[] = [];
      for (const f of cluster) if (!chosen.some((c) => f.start < c.end && f.end > c.start)) chosen.push(f);
      kept.push(...chosen);
    }
    i = j;
  }
  for (const c of containers) kept.push(c);
  return kept.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** Compile detectors once and return a scanner. */
export function createGuard(options: GuardOptions = {}): Guard {
  const levels: Record<FindingType, Level> = { ...DEFAULT_LEVELS };
  for (const [type, level] of Object.entries(options.levels ?? {})) {
    if (!(FINDING_TYPES as readonly string[]).includes(type)) throw new TypeError(`unknown finding type: ${type}`);
    if (!isLevel(level)) throw new TypeError(`invalid level for ${type}: ${String(level)}`);
    levels[type as FindingType] = level;
  }
  const disabled = new Set(options.disabled ?? []);
  const want = new Set(FINDING_TYPES.filter((t) => !disabled.has(t)));
  const terms = want.has('custom_term') && options.customTerms ? createCustomTermMatcher(options.customTerms) : null;
  const digitTypes = ['cn_id_card', 'cn_mobile', 'cn_landline', 'bank_card', 'ip_address', 'cn_permit'] as const;
  const runDigits = digitTypes.some((t) => want.has(t));

  function scan(text: string): ScanResult {
    if (typeof text !== 'string' || text.length === 0) return { level: 'public', findings: [] };
    const norm = normalize(text);
    const t = norm.text;
    const raw: RawFinding[] = [];
    if (runDigits) detectDigits(t, raw, want);
    detectCodes(t, raw, want);
    if (want.has('secret')) detectSecrets(t, raw);
    if (want.has('classified_marking')) detectClassified(t, raw);
    if (terms) terms.detect(t, raw);
    const both = want.has('address') && want.has('person_name');
    const [addressStarts, nameKeywords] = both ? KeywordIndex.findAllBoth(t, ADDRESS_STARTS, NAME_KEYWORDS) : [];
    if (want.has('address')) detectAddresses(t, raw, addressStarts);
    if (want.has('person_name')) detectNames(t, raw, raw.slice(), nameKeywords);
    if (want.has('source_code')) detectSourceCode(t, raw);
    const findings: Finding[] = [];
    let level: Level = 'public';
    for (const f of resolveOverlaps(raw.filter((f) => want.has(f.type)))) {
      const [start, end] = toOriginal(norm.map, f.start, f.end);
      const l = levels[f.type];
      if (levelRank(l) > levelRank(level)) level = l;
      const out: Finding = { type: f.type, start, end, level: l, score: f.score, detector: f.detector };
      if (f.label) out.label = f.label;
      findings.push(out);
    }
    return { level, findings };
  }
  return { scan };
}
