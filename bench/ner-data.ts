/**
 * The public NER corpora of ../shared/datasets/ner (see its README) as sentences with person-name and
 * street-level address spans, for bench/train-ner.ts and bench/guard-quality.ts. Not part of the product.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { STREET_LEVEL } from '../src/guard/ner/street.ts';

export interface NerSentence {
  text: string;
  per: Array<[number, number]>;
  adr: Array<[number, number]>;
  /** Every place (LOC span, street-level or not) and every organisation: the tagger learns them so that it
   * can tell them from names; the guard reports the street-level places (`adr`), not the others. */
  loc?: Array<[number, number]>;
  org?: Array<[number, number]>;
}

/** Where the datasets are: $YUMEN_DATASETS, or ../shared/datasets beside the checkout (or its parent). */
export function datasetsDir(): string | null {
  const candidates = [
    process.env.YUMEN_DATASETS,
    join(import.meta.dirname, '../../shared/datasets'),
    join(import.meta.dirname, '../../../shared/datasets'),
  ];
  for (const c of candidates) if (c && existsSync(join(c, 'ner'))) return resolve(c);
  return null;
}

/**
 * A LOC chain (adjacent LOC spans joined: 北京市/海淀区/中关村大街) is a street-level address when it names a
 * road, a number, a village or a building, not only a city or a province — the guard's own test
 * (src/guard/ner/street.ts).
 */
export { STREET_LEVEL };

interface Raw { text: string; entities: Array<{ start: number; end: number; type: string; orig?: string }> }

export function toSentence(r: Raw): NerSentence {
  const per: Array<[number, number]> = [];
  const locs: Array<[number, number]> = [];
  const org: Array<[number, number]> = [];
  for (const e of r.entities) {
    if (e.orig && e.orig.endsWith('.NOM')) continue; // nominal mentions (男友, 穷人) are not names
    if (e.type === 'PER') per.push([e.start, e.end]);
    else if (e.type === 'LOC') locs.push([e.start, e.end]);
    else if (e.type === 'ORG') org.push([e.start, e.end]);
  }
  locs.sort((a, b) => a[0] - b[0]);
  const chains: Array<[number, number]> = [];
  for (const l of locs) {
    const last = chains[chains.length - 1];
    if (last && l[0] <= last[1]) last[1] = Math.max(last[1], l[1]);
    else chains.push([l[0], l[1]]);
  }
  const adr = chains.filter(([s, e]) => STREET_LEVEL.test(r.text.slice(s, e)));
  return { text: r.text, per: per.sort((a, b) => a[0] - b[0]), adr, loc: locs, org: org.sort((a, b) => a[0] - b[0]) };
}

export function loadSplit(dir: string, corpus: string, split: string): NerSentence[] {
  const file = join(dir, 'ner', corpus, `${split}.jsonl`);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => toSentence(JSON.parse(l) as Raw));
}

/** peoples_daily without the sentences that also occur in msra (its README: most of them do). */
export function loadPeoplesDaily(dir: string, split: string): NerSentence[] {
  const msra = new Set<string>();
  for (const s of ['train', 'test']) for (const x of loadSplit(dir, 'msra', s)) msra.add(x.text);
  return loadSplit(dir, 'peoples_daily', split).filter((x) => !msra.has(x.text));
}

/**
 * msra/train split for training and development: every 20th sentence is held out as the news dev set
 * (spread over the whole corpus, which runs topic by topic; peoples_daily/dev shares too much text with
 * MSRA to tell anything). The test split is never part of either.
 */
export function msraSplit(dir: string): { train: NerSentence[]; dev: NerSentence[] } {
  const all = loadSplit(dir, 'msra', 'train');
  return { train: all.filter((_, i) => i % 20 !== 19), dev: all.filter((_, i) => i % 20 === 19) };
}
