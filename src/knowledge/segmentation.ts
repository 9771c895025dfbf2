import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/**
 * Chinese-aware tokens for full-text search. Every chunk is indexed in two fields, and a query is tokenized the
 * same way:
 * - `words`: jieba search-mode words (long words also yield their sub-words), plus the department's own dictionary;
 * - `grams`: character bigrams of every CJK run (the fallback where jieba cuts a name or term differently in query
 *   and passage).
 * `chars` (single CJK characters) is no longer produced and stays empty: the characters of a query match most
 * of a large base, which made them ~3/4 of the search time at 10,000 chunks, for at most 0.4 points of R@1: the
 * second stage (src/knowledge/rescore.ts) reads characters itself (docs/BENCHMARKS.md).
 * Latin words and numbers are lowercased and appear in `words` only. Tokens are pure letters/digits, so
 * SQLite FTS5's unicode61 tokenizer and PostgreSQL see exactly these tokens.
 */
export interface TokenFields {
  words: string[];
  grams: string[];
  chars: string[];
}

export interface Segmenter {
  /** Tokens of a passage for the index. */
  index(text: string): TokenFields;
  /** Tokens of a query: the same as `index`, minus question words and particles that carry no topic. */
  query(text: string): TokenFields;
}

const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[\p{L}\p{N}]+/gu;
const IS_CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const SPLIT_NON_WORD = /[^\p{L}\p{N}]+/u;

/** Question words and particles: dropped from queries only (passages keep them so phrases still count). */
const QUERY_STOP_WORDS = new Set(('的 了 是 在 和 与 及 或 也 都 就 而 吗 呢 吧 啊 呀 什么 哪个 哪些 哪里 哪儿 哪 谁 多少 几 几个 怎么 怎样 怎么样 如何 ' +
  '为什么 为何 是不是 有没有 是否 那个 这个 那 这 个 叫 叫做 有 被 把 请问 一个 么 啥 多 中 上 请 呢 吗 我 你 他 她 它 我们 的话 ' +
  'what which who whom whose where when why how is are was were the a an of to in on for and or do does did').split(' '));
/** Single characters too common to help ranking when a query is split into characters. */
const QUERY_STOP_CHARS = new Set([...'的了是在和与及或也都就而吗呢吧啊呀么哪谁几个有被把请一这那我你他她它多中上什怎样为何叫']);

const jiebaCache = new Map<string, Jieba>();

function jiebaFor(extraWords: readonly string[]): Jieba {
  const key = [...extraWords].sort().join('\n');
  let j = jiebaCache.get(key);
  if (!j) {
    j = Jieba.withDict(dict);
    // A user word with a high frequency so jieba keeps it whole (format: "word freq [tag]").
    if (extraWords.length) j.loadDict(Buffer.from(extraWords.map((w) => `${w.replace(/\s+/g, '')} 100000 n`).join('\n')));
    if (jiebaCache.size > 32) jiebaCache.delete(jiebaCache.keys().next().value!);
    jiebaCache.set(key, j);
  }
  return j;
}

/** True when every character is a CJK ideograph (the BMP blocks above) or a lowercase ASCII letter or digit. */
function plainToken(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) continue;
    return false;
  }
  return true;
}

function pushClean(out: string[], token: string): void {
  if (!token) return;
  // Most tokens are Chinese words or plain lowercase words: they are already clean (no regex, no copy).
  if (plainToken(token)) { out.push(token); return; }
  const lower = token.toLowerCase();
  if (/^[\p{L}\p{N}]+$/u.test(lower)) { out.push(lower); return; }
  for (const part of lower.split(SPLIT_NON_WORD)) if (part) out.push(part);
}

/** Bigrams of the CJK runs of `text`. */
function bigrams(text: string, grams: string[]): void {
  for (const run of text.match(CJK_RUN) ?? []) {
    if (!IS_CJK.test(run[0])) continue;
    const cs = [...run];
    for (let i = 0; i + 1 < cs.length; i++) grams.push(cs[i] + cs[i + 1]);
  }
}

/** A segmenter using jieba's default dictionary plus `extraWords` (a department's own terms). */
export function createSegmenter(extraWords: readonly string[] = []): Segmenter {
  const jieba = jiebaFor(extraWords);
  function fields(text: string, forQuery: boolean): TokenFields {
    const words: string[] = [];
    const grams: string[] = [];
    const normalized = text.normalize('NFKC');
    for (const w of jieba.cutForSearch(normalized, true)) pushClean(words, w);
    bigrams(normalized, grams);
    if (!forQuery) return { words, grams, chars: [] };
    const w2 = words.filter((w) => !QUERY_STOP_WORDS.has(w));
    // A query made only of stop words still has to search for something.
    return { words: w2.length ? w2 : words, grams, chars: [] };
  }
  return {
    index: (text) => fields(text, false),
    query: (text) => fields(text, true),
  };
}

/** True for a character dropped from query character tokens (particles, question words). */
export function isQueryStopChar(ch: string): boolean {
  return QUERY_STOP_CHARS.has(ch);
}

export function isCjk(ch: string): boolean {
  return IS_CJK.test(ch);
}
