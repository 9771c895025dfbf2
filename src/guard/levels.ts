import type { FindingType, Level } from './types.ts';

const RANK: Readonly<Record<Level, number>> = Object.freeze({ public: 0, internal: 1, sensitive: 2, classified: 3 });

export const LEVELS: readonly Level[] = Object.freeze(['public', 'internal', 'sensitive', 'classified']);

/** Numeric rank of a level: public 0, internal 1, sensitive 2, classified 3. */
export function levelRank(level: Level): number {
  return RANK[level];
}

/** The higher of two levels. */
export function maxLevel(a: Level, b: Level): Level {
  return RANK[a] >= RANK[b] ? a : b;
}

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);
}

/**
 * Default level of each finding type. Sensitive values go to external models only pseudonymized;
 * internal values pass. Company identifiers (USCC), landlines (mostly switchboards) and IP addresses are
 * organisational rather than personal, so they default to internal; tenants may raise them.
 */
export const DEFAULT_LEVELS: Readonly<Record<FindingType, Level>> = Object.freeze({
  classified_marking: 'classified',
  cn_id_card: 'sensitive',
  cn_mobile: 'sensitive',
  bank_card: 'sensitive',
  passport: 'sensitive',
  cn_permit: 'sensitive',
  secret: 'sensitive',
  person_name: 'sensitive',
  address: 'sensitive',
  email: 'sensitive',
  license_plate: 'sensitive',
  custom_term: 'sensitive',
  source_code: 'sensitive',
  cn_landline: 'internal',
  cn_uscc: 'internal',
  ip_address: 'internal',
});

/**
 * Findings scored below this are guesses without the context that would confirm them (today: a passport
 * number with no label, detectors/codes.ts). They are reported one level below their type's level, so the
 * policy's rule for that lower level decides: by default an unlabelled passport number is `internal`.
 */
export const LOW_CONFIDENCE_SCORE = 0.7;

/** The level just below `level` (public stays public). */
export function lowerLevel(level: Level): Level {
  return LEVELS[Math.max(0, RANK[level] - 1)];
}
