/**
 * A department's public terms (公开词): words its texts use that the guard takes for a person's name or an address and
 * that are neither — a football club (阿森纳), a product (高德地图), a landmark, the department's own building named
 * in every notice. A name or address finding whose whole text is such a term is not reported, so the external model
 * sees the word. Only these two types can be lifted: a phone number, an ID, a secret or a classified marking on the
 * list stays what it is, and a term lifts only a finding that is exactly it (`张伟` listed leaves `张伟华` found).
 * Terms and texts are compared as the detectors read them (normalize.ts: full-width, traditional and look-alike
 * forms folded, padding dropped), with blanks removed.
 */
import { normalize } from './normalize.ts';
import type { FindingType, RawFinding } from './types.ts';

/** The finding types a public term may lift. */
export const PUBLIC_TERM_TYPES: readonly FindingType[] = ['person_name', 'address'];

export const PUBLIC_TERM_MIN_LENGTH = 2;
export const PUBLIC_TERM_MAX_LENGTH = 64;
export const PUBLIC_TERMS_MAX = 10_000;

const BLANKS = /\s+/g;

function key(text: string): string {
  return normalize(text).text.replace(BLANKS, '');
}

/** Why `term` cannot be a public term, or null when it can. */
export function publicTermProblem(term: unknown): string | null {
  if (typeof term !== 'string') return 'expected a string';
  const k = key(term);
  if (k.length < PUBLIC_TERM_MIN_LENGTH || k.length > PUBLIC_TERM_MAX_LENGTH) {
    return `expected ${PUBLIC_TERM_MIN_LENGTH}–${PUBLIC_TERM_MAX_LENGTH} characters besides blanks, got ${k.length}`;
  }
  return null;
}

/** Whether a finding of the normalized text `text` is one of the public terms; null when there are none. */
export type PublicTermTest = (text: string, f: RawFinding) => boolean;

export function compilePublicTerms(terms: readonly string[] | undefined): PublicTermTest | null {
  if (terms === undefined || terms.length === 0) return null;
  if (terms.length > PUBLIC_TERMS_MAX) throw new TypeError(`publicTerms: at most ${PUBLIC_TERMS_MAX} terms, got ${terms.length}`);
  const keys = new Set<string>();
  let longest = 0;
  for (const term of terms) {
    const problem = publicTermProblem(term);
    if (problem !== null) throw new TypeError(`publicTerms: ${JSON.stringify(term)}: ${problem}`);
    const k = key(term);
    keys.add(k);
    longest = Math.max(longest, k.length);
  }
  const liftable = new Set(PUBLIC_TERM_TYPES);
  return (text, f) => {
    if (!liftable.has(f.type)) return false;
    // A finding much longer than any term (blanks aside) cannot be one: no string is built for it.
    if (f.end - f.start > 4 * longest) return false;
    return keys.has(text.slice(f.start, f.end).replace(BLANKS, ''));
  };
}
