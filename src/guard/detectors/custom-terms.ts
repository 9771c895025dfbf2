import type { CustomTerm, RawFinding } from '../types.ts';
import { AhoCorasick } from '../aho-corasick.ts';
import { normalizeTerm } from '../normalize.ts';

/**
 * A tenant's dictionaries (project code names, customer lists, internal system names), compiled once into an
 * Aho–Corasick automaton: scanning costs the same for ten terms or fifty thousand. ASCII terms match
 * case-insensitively and only as whole words.
 */
export interface CustomTermMatcher {
  detect(text: string, out: RawFinding[]): void;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

export function createCustomTermMatcher(input: readonly string[] | readonly CustomTerm[]): CustomTermMatcher | null {
  const terms: string[] = [];
  const labels: Array<string | undefined> = [];
  const seen = new Set<string>();
  for (const item of input) {
    const raw = typeof item === 'string' ? item : item.term;
    const label = typeof item === 'string' ? undefined : item.label;
    const term = normalizeTerm(String(raw ?? '').trim());
    if (term.length === 0 || seen.has(term)) continue;
    seen.add(term);
    terms.push(term);
    labels.push(label);
  }
  if (terms.length === 0) return null;
  const ac = new AhoCorasick(terms);
  const wordy = terms.map((t) => isWordChar(t.charCodeAt(0)) || isWordChar(t.charCodeAt(t.length - 1)));
  return {
    detect(text: string, out: RawFinding[]): void {
      for (const m of ac.findLongest(text)) {
        if (wordy[m.term]) {
          const t = terms[m.term];
          if (isWordChar(t.charCodeAt(0)) && m.start > 0 && isWordChar(text.charCodeAt(m.start - 1))) continue;
          if (isWordChar(t.charCodeAt(t.length - 1)) && m.end < text.length && isWordChar(text.charCodeAt(m.end))) continue;
        }
        const f: RawFinding = { type: 'custom_term', start: m.start, end: m.end, score: 1, detector: 'custom_term' };
        const label = labels[m.term];
        if (label) f.label = label;
        out.push(f);
      }
    },
  };
}
