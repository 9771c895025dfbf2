import type { KeywordIndex } from './keywords.ts';
import { PAIR_TABLE_SIZE, pairHash } from './keywords.ts';
import { asciiLower } from './chars.ts';

/**
 * One pass over the normalized text that feeds several detectors: maximal runs of ASCII letters and
 * digits (codes, secret prefixes), keyword hits of up to two keyword indexes (address starts, name cues),
 * and the positions where a labelled-secret keyword may start. Each detector then visits only these
 * positions instead of scanning the whole text again.
 */
export interface Tokens {
  /** Alphanumeric runs as [start0, end0, start1, end1, …]; `runCount` pairs are valid. */
  runs: Int32Array;
  runCount: number;
  /** Leftmost-longest, non-overlapping hits of index A and B as [start, keyword] (KeywordIndex.findAll). */
  keywordsA: Array<[number, string]> | undefined;
  keywordsB: Array<[number, string]> | undefined;
  /** Positions where a secret label (password, token, 密码 …) may start, ascending. */
  secretLabels: number[];
}

const ALNUM = 1;
const SECRET_FIRST = 2;
const KEYWORD_A = 4;
const KEYWORD_B = 8;
const BASE = new Uint8Array(65536);
for (let c = 48; c <= 57; c++) BASE[c] = ALNUM;
for (let c = 65; c <= 90; c++) BASE[c] = BASE[c + 32] = ALNUM;

// First two characters (ASCII lower-cased) of the keywords that start LABELLED in detectors/secrets.ts,
// hashed: a collision only costs one failed pattern test at that position.
const SECRET_PAIRS = new Uint8Array(PAIR_TABLE_SIZE);
for (const w of ['pa', 'pw', 'se', 'to', 'ap', 'ac', 'cr', 'au', 'be', 'ak', 'sk', '密码', '密钥', '口令', '秘钥', '私钥', '令牌', '授权',
  '访问']) {
  const c0 = w.charCodeAt(0);
  SECRET_PAIRS[pairHash(c0, w.charCodeAt(1))] = 1;
  BASE[c0] |= SECRET_FIRST;
  if (c0 >= 97 && c0 <= 122) BASE[c0 - 32] |= SECRET_FIRST;
}


let runBuffer: Int32Array = new Int32Array(1024);

function grow(runs: Int32Array): Int32Array {
  const bigger = new Int32Array(runs.length * 2);
  bigger.set(runs);
  runBuffer = bigger;
  return bigger;
}

export type Tokenizer = (text: string) => Tokens;

/**
 * `a`, `b`: keyword indexes to look up (or null). The runs array of a result is reused by the next call:
 * read it before tokenizing again.
 */
export function createTokenizer(a: KeywordIndex | null, b: KeywordIndex | null): Tokenizer {
  // Guards are created often (per department, on every policy refresh) with the same two indexes.
  for (const [ca, cb, t] of made) if (ca === a && cb === b) return t;
  const t = buildTokenizer(a, b);
  made.push([a, b, t]);
  return t;
}

const made: Array<[KeywordIndex | null, KeywordIndex | null, Tokenizer]> = [];

function buildTokenizer(a: KeywordIndex | null, b: KeywordIndex | null): Tokenizer {
  const table = BASE.slice();
  for (let c = 0; c < 65536; c++) {
    if (a?.startsWith(c)) table[c] |= KEYWORD_A;
    if (b?.startsWith(c)) table[c] |= KEYWORD_B;
  }
  const none = { first: new Uint8Array(65536), pairs: new Uint8Array(65536) };
  const { first: firstA, pairs: pairsA } = a ? a.tables() : none;
  const { first: firstB, pairs: pairsB } = b ? b.tables() : none;
  return function tokenize(text: string): Tokens {
    const n = text.length;
    const ka: Array<[number, string]> | undefined = a ? [] : undefined;
    const kb: Array<[number, string]> | undefined = b ? [] : undefined;
    const secretLabels: number[] = [];
    let runs = runBuffer;
    let r = 0;
    let runStart = -1;
    let freeA = 0;
    let freeB = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const k = table[c];
      if ((k & ALNUM) !== 0) {
        if (runStart < 0) runStart = i;
      } else if (runStart >= 0) {
        if (r + 2 > runs.length) runs = grow(runs);
        runs[r++] = runStart;
        runs[r++] = i;
        runStart = -1;
      }
      if (k <= ALNUM) continue;
      if ((k & SECRET_FIRST) !== 0 && i + 1 < n && SECRET_PAIRS[pairHash(asciiLower(c), asciiLower(text.charCodeAt(i + 1)))] !== 0) {
        secretLabels.push(i);
      }
      // Candidates that the keyword index would reject on its first two characters are skipped here.
      const pair = (k & (KEYWORD_A | KEYWORD_B)) !== 0 && i + 1 < n ? pairHash(c, text.charCodeAt(i + 1)) : 0;
      if ((k & KEYWORD_A) !== 0 && i >= freeA && (firstA[c] === 2 || pairsA[pair] !== 0)) {
        const w = a!.at(text, i);
        if (w !== undefined) {
          ka!.push([i, w]);
          freeA = i + w.length;
        }
      }
      if ((k & KEYWORD_B) !== 0 && i >= freeB && (firstB[c] === 2 || pairsB[pair] !== 0)) {
        const w = b!.at(text, i);
        if (w !== undefined) {
          kb!.push([i, w]);
          freeB = i + w.length;
        }
      }
    }
    if (runStart >= 0) {
      if (r + 2 > runs.length) runs = grow(runs);
      runs[r++] = runStart;
      runs[r++] = n;
    }
    return { runs, runCount: r >> 1, keywordsA: ka, keywordsB: kb, secretLabels };
  };
}
