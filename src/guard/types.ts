/** Sensitivity levels, lowest first: public < internal < sensitive < classified. */
export type Level = 'public' | 'internal' | 'sensitive' | 'classified';

/** Finding types (DESIGN.md, "Finding types"). */
export type FindingType =
  | 'cn_id_card'
  | 'cn_mobile'
  | 'cn_landline'
  | 'bank_card'
  | 'cn_uscc'
  | 'email'
  | 'ip_address'
  | 'passport'
  | 'cn_permit'
  | 'license_plate'
  | 'person_name'
  | 'address'
  | 'secret'
  | 'classified_marking'
  | 'custom_term'
  | 'source_code';

export const FINDING_TYPES: readonly FindingType[] = Object.freeze([
  'cn_id_card', 'cn_mobile', 'cn_landline', 'bank_card', 'cn_uscc', 'email', 'ip_address', 'passport',
  'cn_permit', 'license_plate', 'person_name', 'address', 'secret', 'classified_marking', 'custom_term',
  'source_code',
]);

/** One detected value. Offsets are JavaScript string indices into the original (un-normalized) text. */
export interface Finding {
  type: FindingType;
  start: number;
  end: number;
  level: Level;
  /** Confidence in [0, 1]. */
  score: number;
  /** Name of the detector that produced the finding. */
  detector: string;
  /** For custom_term: the dictionary label the term came from, if any. */
  label?: string;
}

export interface ScanResult {
  /** The highest level among the findings; `public` when there are none. */
  level: Level;
  /** Sorted by start offset. */
  findings: Finding[];
}

export interface CustomTerm {
  term: string;
  /** Placeholder label, e.g. "项目代号"; defaults to "专有名词". */
  label?: string;
}

export interface GuardOptions {
  /** Per-tenant overrides of the default level of each type. */
  levels?: Partial<Record<FindingType, Level>>;
  /** Tenant dictionaries: project code names, customer lists, internal system names. */
  customTerms?: readonly string[] | readonly CustomTerm[];
  /** Types not to detect at all. */
  disabled?: readonly FindingType[];
  /**
   * Public terms (公开词): strings the department's texts use that are no person's name or address (a club, a product,
   * a landmark). A person_name or address finding that is exactly one of them is not reported (public-terms.ts).
   */
  publicTerms?: readonly string[];
  /**
   * Combine the trained name/address tagger with the rules (default true); false leaves the rule
   * detectors alone, as before the tagger (for comparisons and for --explain).
   */
  tagger?: boolean;
  /**
   * How many recently scanned texts (of up to 2,048 characters) keep their result, so that a text seen
   * again — the earlier turns a chat client resends with every request, a system prompt — is not scanned
   * again (default 256; 0 turns the cache off). See text-cache.ts.
   */
  scanCacheEntries?: number;
}

export interface Guard {
  scan(text: string): ScanResult;
}

/** A finding before levels are applied and offsets mapped back; offsets index the normalized text. */
export interface RawFinding {
  type: FindingType;
  start: number;
  end: number;
  score: number;
  detector: string;
  label?: string;
}
