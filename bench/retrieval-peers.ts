/**
 * The peers Yumen's ranking is measured against, in-process, over the same tokens Yumen's query uses (jieba
 * search-mode words, NFKC, lowercased, punctuation and question words out — `Segmenter.query`), for passages and
 * queries alike: MiniSearch (BM25+, its defaults), FlexSearch (its default index: every query word must match,
 * ranked by word position) and FlexSearch with `suggest` (partial matches allowed). Plus the character-bigram BM25
 * baseline that needs no segmenter.
 */
import { Index } from 'flexsearch';
import MiniSearch from 'minisearch';
import type { Segmenter } from '../src/knowledge/index.ts';
import type { Dataset } from './retrieval-sets.ts';

export type Ranker = (q: string, k: number) => string[];

const SEP = ' ';

export function miniSearchPeer(docs: Dataset['docs'], seg: Segmenter): Ranker {
  const ms = new MiniSearch<{ id: number; t: string }>({ fields: ['t'], tokenize: (s) => s.split(SEP).filter(Boolean), processTerm: (t) => t });
  ms.addAll(docs.map((d, i) => ({ id: i, t: seg.query(d.text).words.join(SEP) })));
  return (q, k) => ms.search(seg.query(q).words.join(SEP)).slice(0, k).map((r) => docs[r.id as number].id);
}

export function flexSearchPeer(docs: Dataset['docs'], seg: Segmenter, suggest: boolean): Ranker {
  const ix = new Index({ encode: (s: string) => s.split(SEP).filter(Boolean) } as never);
  docs.forEach((d, i) => ix.add(i, seg.query(d.text).words.join(SEP)));
  return (q, k) => (ix.search(seg.query(q).words.join(SEP), { limit: k, suggest }) as number[]).map((i) => docs[i].id);
}

/** Okapi BM25 (k1 1.2, b 0.75) over character bigrams of CJK runs and lowercased Latin words. */
export function bigramBaseline(docs: Dataset['docs']): Ranker {
  const tok = (s: string) => {
    const out: string[] = [];
    for (const r of s.toLowerCase().match(/[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+/g) ?? []) {
      if (/[\u3400-\u9fff\uf900-\ufaff]/.test(r[0])) {
        if (r.length === 1) out.push(r);
        for (let i = 0; i + 1 < r.length; i++) out.push(r.slice(i, i + 2));
      } else out.push(r);
    }
    return out;
  };
  const postings = new Map<string, Array<[number, number]>>();
  const lens: number[] = [];
  docs.forEach((d, i) => {
    const t = tok(d.text);
    lens.push(t.length);
    const tf = new Map<string, number>();
    for (const x of t) tf.set(x, (tf.get(x) ?? 0) + 1);
    for (const [x, f] of tf) (postings.get(x) ?? postings.set(x, []).get(x)!).push([i, f]);
  });
  const avg = lens.reduce((a, b) => a + b, 0) / lens.length;
  const N = docs.length;
  return (q, k) => {
    const s = new Float64Array(N);
    for (const t of new Set(tok(q))) {
      const p = postings.get(t);
      if (!p) continue;
      const idf = Math.log(1 + (N - p.length + 0.5) / (p.length + 0.5));
      for (const [i, f] of p) s[i] += (idf * f * 2.2) / (f + 1.2 * (0.25 + (0.75 * lens[i]) / avg));
    }
    return [...s.keys()].filter((i) => s[i] > 0).sort((a, b) => s[b] - s[a]).slice(0, k).map((i) => docs[i].id);
  };
}
