/**
 * The Guard: Chinese-first detection of personal data, secrets and classified markings, and reversible
 * pseudonymization. Pure: no I/O during a scan (the name/address tagger's model file, src/guard/data/ner-model.bin.gz,
 * is read once when the first guard is created), no dependencies outside node built-ins.
 *
 * @example
 * import { createGuard, Vault } from '../guard/index.ts';
 * const guard = createGuard({ customTerms: [{ term: '天穹计划', label: '项目代号' }] });
 * const { level, findings } = guard.scan('联系人：张伟，电话 138 0013 8000');
 * const vault = new Vault();
 * const safe = vault.pseudonymize(text, findings);      // '联系人：〔姓名_1〕，电话 〔手机号_1〕'
 * const answer = vault.restore(modelReply);
 */
export type {
  CustomTerm, Finding, FindingType, Guard, GuardOptions, Level, ScanResult,
} from './types.ts';
export { FINDING_TYPES } from './types.ts';
export { DEFAULT_LEVELS, LEVELS, LOW_CONFIDENCE_SCORE, isLevel, levelRank, lowerLevel, maxLevel } from './levels.ts';
export { createGuard } from './guard.ts';
export { Vault } from './vault.ts';
export type { StreamRestorer, StreamRestorerOptions } from './stream-restorer.ts';
export { PLACEHOLDER_LABELS } from './placeholder.ts';
export { normalize } from './normalize.ts';
export type { Normalized, OffsetMap } from './normalize.ts';
export { maskValue } from './mask.ts';
export { PUBLIC_TERM_TYPES, PUBLIC_TERMS_MAX, publicTermProblem } from './public-terms.ts';
export {
  idCardCheckChar, isValidIdCard15, isValidIdCard18, isValidUscc, luhnValid, usccCheckChar,
} from './validators.ts';
