import type { CustomTerm, FindingType, RawFinding } from '../types.ts';
import type { Tokens } from '../tokens.ts';
import { detectDigits } from './digits.ts';
import { detectSpelledDigits } from './spelled-digits.ts';
import { detectRegionalIds } from './regional-ids.ts';
import { detectCodes } from './codes.ts';
import { detectCoordinates } from './coordinates.ts';
import { detectSecrets } from './secrets.ts';
import { detectCredentialPairs, detectHuaweiPairs } from './credential-pair.ts';
import { detectClassified } from './classified.ts';
import { createCustomTermMatcher } from './custom-terms.ts';
import { detectAddresses } from './address.ts';
import { detectNames } from './names.ts';
import { combineWithTagger, defaultNerModel } from './ner.ts';
import { detectSourceCode } from './source-code.ts';
import { detectPinyinNames } from './pinyin-names.ts';
import { detectCantoneseNames, detectTitledSurnames } from './cantonese-names.ts';
import { detectEnglishAddresses } from './address-en.ts';

/**
 * Every detector, in the order the guard runs them, and the priority of every finding type when two
 * findings overlap — one table, so that a new detector is one file plus one row here.
 *
 * A row's `create(options)` is called once per guard (compile patterns, dictionaries, the model) and returns
 * the scan function `(text, context)`, or null when none of its types is wanted. The scan function adds its
 * findings to `context.out`; later rows may read what earlier ones found (names look beside phones and IDs,
 * the tagger combines the name and address rules).
 */
export interface DetectorOptions {
  want: ReadonlySet<FindingType>;
  customTerms?: readonly string[] | readonly CustomTerm[];
  tagger: boolean;
}

export interface ScanContext {
  /** Findings so far, on the normalized text; detectors append. */
  out: RawFinding[];
  /** The one tokenizer pass over the text (tokens.ts). */
  tokens: Tokens;
  /** Index in `out` where the name/address rules' findings start (-1 until one of them runs). */
  rulesFrom: number;
}

export type Detect = (text: string, context: ScanContext) => void;

export interface DetectorRow {
  name: string;
  types: readonly FindingType[];
  create(options: DetectorOptions): Detect | null;
}

const wants = (o: DetectorOptions, types: readonly FindingType[]): boolean => types.some((t) => o.want.has(t));
const markRules = (c: ScanContext): void => {
  if (c.rulesFrom < 0) c.rulesFrom = c.out.length;
};

const DIGIT_TYPES: readonly FindingType[] = ['cn_id_card', 'cn_mobile', 'cn_landline', 'bank_card', 'ip_address', 'cn_permit'];

export const DETECTORS: readonly DetectorRow[] = [
  {
    name: 'digits', types: DIGIT_TYPES,
    create: (o) => (wants(o, DIGIT_TYPES) ? (t, c) => detectDigits(t, c.out, o.want, c.tokens.runs, c.tokens.runCount) : null),
  },
  {
    name: 'spelled-digits', types: ['cn_id_card', 'cn_mobile', 'cn_landline', 'bank_card', 'cn_permit'],
    create: (o) => (wants(o, DIGIT_TYPES) ? (t, c) => detectSpelledDigits(t, c.out, o.want, c.tokens.runs, c.tokens.runCount) : null),
  },
  {
    name: 'regional-ids', types: ['cn_id_card'],
    create: (o) => (o.want.has('cn_id_card') ? (t, c) => detectRegionalIds(t, c.out, o.want, c.tokens.runs, c.tokens.runCount) : null),
  },
  {
    name: 'codes', types: ['cn_uscc', 'email', 'passport', 'license_plate', 'ip_address', 'cn_permit'],
    create: (o) => (t, c) => detectCodes(t, c.out, o.want, c.tokens.runs, c.tokens.runCount),
  },
  {
    name: 'coordinates', types: ['address'],
    create: (o) => (o.want.has('address') ? (t, c) => detectCoordinates(t, c.out) : null),
  },
  {
    name: 'secrets', types: ['secret'],
    create: (o) => (o.want.has('secret') ? (t, c) => {
      const from = c.out.length;
      detectSecrets(t, c.out, c.tokens.runs, c.tokens.runCount, c.tokens.secretLabels);
      if (c.out.length > from) detectCredentialPairs(t, c.out, from);
      detectHuaweiPairs(t, c.out, c.tokens.runs, c.tokens.runCount);
    } : null),
  },
  {
    name: 'classified', types: ['classified_marking'],
    create: (o) => (o.want.has('classified_marking') ? (t, c) => detectClassified(t, c.out) : null),
  },
  {
    name: 'custom-terms', types: ['custom_term'],
    create: (o) => {
      const terms = o.want.has('custom_term') && o.customTerms ? createCustomTermMatcher(o.customTerms) : null;
      return terms ? (t, c) => terms.detect(t, c.out) : null;
    },
  },
  {
    name: 'address', types: ['address'],
    create: (o) => (o.want.has('address') ? (t, c) => {
      markRules(c);
      detectAddresses(t, c.out, c.tokens.keywordsA, c.tokens.runs, c.tokens.runCount);
    } : null),
  },
  {
    name: 'names', types: ['person_name'],
    create: (o) => (o.want.has('person_name') ? (t, c) => {
      markRules(c);
      detectNames(t, c.out, c.out, c.tokens.keywordsB, c.out.length, c.tokens.runs, c.tokens.runCount);
    } : null),
  },
  {
    name: 'ner', types: ['person_name', 'address'],
    create: (o) => {
      const name = o.want.has('person_name');
      const address = o.want.has('address');
      if (!o.tagger || (!name && !address)) return null;
      const model = defaultNerModel();
      return (t, c) => combineWithTagger(t, c.out, c.rulesFrom < 0 ? c.out.length : c.rulesFrom, model, name, address);
    },
  },
  {
    // These rows run after the tagger, which reads no Latin letters: its combination leaves them alone.
    name: 'pinyin-names', types: ['person_name'],
    create: (o) => (o.want.has('person_name') ? (t, c) => detectPinyinNames(t, c.out) : null),
  },
  {
    name: 'cantonese-names', types: ['person_name'],
    create: (o) => (o.want.has('person_name') ? (t, c) => {
      detectCantoneseNames(t, c.out);
      detectTitledSurnames(t, c.out);
    } : null),
  },
  {
    name: 'address-en', types: ['address'],
    create: (o) => (o.want.has('address') ? (t, c) => detectEnglishAddresses(t, c.out) : null),
  },
  {
    name: 'source-code', types: ['source_code'],
    create: (o) => (o.want.has('source_code') ? (t, c) => detectSourceCode(t, c.out) : null),
  },
];

/**
 * When two findings overlap, the more trustworthy one wins: validated and exact-prefix types over
 * context-based ones, tenant dictionaries over heuristics. source_code is a container and never competes.
 */
export const PRIORITY: Readonly<Record<FindingType, number>> = {
  secret: 100, classified_marking: 95, cn_id_card: 90, custom_term: 88, bank_card: 85, cn_uscc: 85, email: 82,
  cn_mobile: 80, cn_permit: 78, cn_landline: 75, passport: 70, license_plate: 65, ip_address: 60, address: 50,
  person_name: 40, source_code: 0,
};
