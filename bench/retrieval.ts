/**
 * Retrieval quality on public Chinese datasets (read from ../shared/datasets when present; skipped otherwise):
 * - CMRC 2018 dev: 848 passages, 3,219 questions, each question's own passage relevant;
 * - WebQA test: 3,024 questions, all 3,024 evidences as the corpus.
 * - CMRC 2018 dev, answer windows (the hard set): every passage cut into windows of whole sentences (≤ 120 chars);
 *   the relevant window is the one holding the answer, and its sibling windows — same article, same names, most of
 *   the query's terms — sit beside it as topical distractors. This measures ranking, not recall.
 * Every passage is ingested through the real pipeline (chunking, jieba, FTS5 / PostgreSQL postings) and ranked
 * at document level. Beside it, a character-bigram BM25 baseline computed in the same run, and Yumen full-text
 * before and after the second-stage re-scoring (src/knowledge/rescore.ts) on the same candidates.
 * `--tune` grid-searches the re-scoring weights on the CMRC sets only; WebQA stays held out.
 * Hybrid (full-text + dense, RRF) is measured when BENCH_EMBEDDING_BASE_URL and BENCH_EMBEDDING_MODEL name an
 * OpenAI-compatible /embeddings server inside the domain.
 *
 *   npm run bench:retrieval [-- --postgres URL] [-- --limit N] [-- --tune]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKnowledgeService, createSegmenter, modelEmbedder, type Embedder } from '../src/knowledge/index.ts';
import { DEFAULT_RESCORE_WEIGHTS, rescore, type RescoreWeights } from '../src/knowledge/rescore.ts';
import { isQueryStopChar } from '../src/knowledge/segmentation.ts';
import { createModelRegistry } from '../src/providers/index.ts';
import { openStore } from '../src/store/index.ts';

const DATASETS = resolve(process.env.YUMEN_DATASETS ?? join(import.meta.dirname, '../../shared/datasets'));
const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const limit = Number(opt('--limit') ?? Infinity);
const tune = args.includes('--tune');
/** --tune: MRR@10 of each weight setting on each tuning set (CMRC only), averaged at the end. */
const tuned = new Map<string, number[]>();
const only = opt('--only');

interface Dataset { name: string; docs: Array<{ id: string; text: string }>; queries: Array<{ q: string; rel: string }>; tune: boolean }

function loadCmrc(): Dataset | null {
  const f = join(DATASETS, 'cmrc2018/cmrc2018_dev.json');
  if (!existsSync(f)) return null;
  const raw = JSON.parse(readFileSync(f, 'utf8')) as Array<{ context_id: string; context_text: string; qas: Array<{ query_text: string }> }>;
  const docs = raw.map((p) => ({ id: p.context_id, text: p.context_text }));
  const queries = raw.flatMap((p) => p.qas.map((qa) => ({ q: qa.query_text, rel: p.context_id })));
  return { name: 'CMRC 2018 dev', docs, queries: queries.slice(0, limit), tune: true };
}

/** CMRC passages cut into sentence windows; a question's relevant window is the one holding its answer. */
function loadCmrcWindows(): Dataset | null {
  const f = join(DATASETS, 'cmrc2018/cmrc2018_dev.json');
  if (!existsSync(f)) return null;
  const raw = JSON.parse(readFileSync(f, 'utf8')) as Array<{ context_id: string; context_text: string; qas: Array<{ query_text: string; answers: string[] }> }>;
  const docs: Dataset['docs'] = [];
  const queries: Dataset['queries'] = [];
  for (const p of raw) {
    const sentences = p.context_text.match(/[^。！？；]+[。！？；]*/g) ?? [];
    const windows: Array<{ id: string; start: number; end: number }> = [];
    let start = 0, text = '';
    for (const s of sentences) {
      if (text && text.length + s.length > 120) {
        windows.push({ id: `${p.context_id}#${windows.length}`, start, end: start + text.length });
        docs.push({ id: windows.at(-1)!.id, text });
        start += text.length;
        text = '';
      }
      text += s;
    }
    if (text) { windows.push({ id: `${p.context_id}#${windows.length}`, start, end: start + text.length }); docs.push({ id: windows.at(-1)!.id, text }); }
    for (const qa of p.qas) {
      const at = p.context_text.indexOf(qa.answers[0]);
      const w = windows.find((x) => at >= x.start && at + qa.answers[0].length <= x.end);
      if (at >= 0 && w && windows.length > 1) queries.push({ q: qa.query_text, rel: w.id });
    }
  }
  return { name: 'CMRC 2018 dev, answer windows', docs, queries: queries.slice(0, limit), tune: true };
}

function loadWebqa(): Dataset | null {
  const f = join(DATASETS, 'webqa/webqa_test.ann.json');
  if (!existsSync(f)) return null;
  const raw = JSON.parse(readFileSync(f, 'utf8')) as Record<string, { question: string; evidences: Record<string, { evidence: string }> }>;
  const docs: Dataset['docs'] = [];
  const queries: Dataset['queries'] = [];
  for (const e of Object.values(raw)) {
    for (const [id, ev] of Object.entries(e.evidences)) {
      docs.push({ id, text: ev.evidence });
      queries.push({ q: e.question, rel: id });
    }
  }
  return { name: 'WebQA test', docs, queries: queries.slice(0, limit), tune: false };
}

/** The baseline: Okapi BM25 (k1 1.2, b 0.75) over character bigrams of CJK runs and lowercased Latin words. */
function bigramBaseline(docs: Dataset['docs']) {
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
  return (q: string, k: number): string[] => {
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

interface Metrics { r1: number; r5: number; r10: number; mrr10: number; n: number; ms: number }
function metricsOf(queries: Dataset['queries'], ranked: string[][], ms: number): Metrics {
  let r1 = 0, r5 = 0, r10 = 0, mrr = 0;
  queries.forEach(({ rel }, i) => {
    const p = ranked[i].indexOf(rel);
    if (p === 0) r1++;
    if (p >= 0 && p < 5) r5++;
    if (p >= 0 && p < 10) { r10++; mrr += 1 / (p + 1); }
  });
  const n = queries.length;
  return { r1: r1 / n, r5: r5 / n, r10: r10 / n, mrr10: mrr / n, n, ms };
}
async function evaluate(queries: Dataset['queries'], rank: (q: string) => Promise<string[]> | string[]): Promise<Metrics> {
  let r1 = 0, r5 = 0, r10 = 0, mrr = 0;
  const t0 = performance.now();
  for (const { q, rel } of queries) {
    const p = (await rank(q)).indexOf(rel);
    if (p === 0) r1++;
    if (p >= 0 && p < 5) r5++;
    if (p >= 0 && p < 10) { r10++; mrr += 1 / (p + 1); }
  }
  const n = queries.length;
  return { r1: r1 / n, r5: r5 / n, r10: r10 / n, mrr10: mrr / n, n, ms: (performance.now() - t0) / n };
}

function embedderFromEnv(): Embedder | null {
  const base = process.env.BENCH_EMBEDDING_BASE_URL;
  const model = process.env.BENCH_EMBEDDING_MODEL;
  if (!base || !model) return null;
  const registry = createModelRegistry([{ name: 'bench-embed', provider: 'openai-compatible', base_url: base, model, zone: 'private', type: 'embeddings' }] as never);
  return modelEmbedder(registry, 'bench-embed');
}

async function runOn(ds: Dataset, url: string, label: string, embedder: Embedder | null) {
  const store = await openStore(url);
  try {
    const kb = createKnowledgeService({ store, embedder });
    const base = `bench-${ds.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    await kb.createBase({ tenant: 'bench', name: base });
    const t0 = performance.now();
    for (const d of ds.docs) await kb.ingest(null, base, { source: d.id, name: d.id, bytes: Buffer.from(d.text) });
    const ingestS = (performance.now() - t0) / 1000;
    const byDoc = (results: Array<{ document: string }>) => [...new Set(results.map((r) => r.document))].slice(0, 10);
    const rows: Array<[string, Metrics]> = [];
    // One candidate list per query (BM25 order, 50 chunks: knowledge.candidates); re-scored in-process with the
    // same function and inputs the service uses, so before and after rank exactly the same candidates.
    const seg = createSegmenter();
    const cands: Array<Array<{ item: string; score: number; text: string }>> = [];
    const t1 = performance.now();
    for (const { q } of ds.queries) cands.push((await kb.search(null, [base], q, { topK: 50, mode: 'fulltext', rescore: false })).map((r) => ({ item: r.document, score: r.score, text: r.text })));
    const msBm25 = (performance.now() - t1) / ds.queries.length;
    rows.push([`Yumen full-text, BM25 only (${label})`, metricsOf(ds.queries, cands.map((c) => byDoc(c.map((x) => ({ document: x.item })))), msBm25)]);
    let words: string[][] | null = null;
    const rescored = (w: RescoreWeights) => {
      const t = performance.now();
      words ??= ds.queries.map(({ q }) => seg.query(q).words);
      const ranked = cands.map((c, i) => byDoc(rescore(c, { text: ds.queries[i].q, words: words![i], isStopChar: isQueryStopChar }, w).map((x) => ({ document: x.item }))));
      return metricsOf(ds.queries, ranked, msBm25 + (performance.now() - t) / ds.queries.length);
    };
    rows.push([`Yumen full-text + re-scoring (${label})`, rescored(DEFAULT_RESCORE_WEIGHTS)]);
    if (tune && ds.tune) {
      for (const cover of [0, 0.5, 1, 1.5, 2, 3, 4]) for (const span of [0, 0.5, 1]) for (const near of [0, 0.25, 0.5]) {
        const key = JSON.stringify({ cover, span, near });
        tuned.set(key, [...(tuned.get(key) ?? []), rescored({ cover, span, near }).mrr10]);
      }
    }
    if (embedder) rows.push([`Yumen hybrid RRF (${label})`, await evaluate(ds.queries, async (q) => byDoc(await kb.search(null, [base], q, { topK: 30, mode: 'hybrid' })))]);
    return { rows, ingestS };
  } finally {
    await store.close();
  }
}

const fmt = (m: Metrics) => `${m.r1.toFixed(3)} | ${m.r5.toFixed(3)} | ${m.r10.toFixed(3)} | ${m.mrr10.toFixed(3)} | ${m.ms.toFixed(1)}`;

const datasets = [loadCmrc(), loadCmrcWindows(), loadWebqa()].filter((d): d is Dataset => d !== null && (!only || d.name.toLowerCase().includes(only)));
if (!datasets.length) {
  console.log(`No datasets under ${DATASETS}: nothing to measure.`);
  process.exit(0);
}
const embedder = embedderFromEnv();
console.log(`datasets from ${DATASETS}; embedding model: ${embedder ? process.env.BENCH_EMBEDDING_MODEL : 'none (full-text only)'}\n`);
console.log('| dataset | method | R@1 | R@5 | R@10 | MRR@10 | ms/query |\n|---|---|---|---|---|---|---|');
for (const ds of datasets) {
  const baseline = bigramBaseline(ds.docs);
  console.log(`| ${ds.name} (${ds.docs.length} docs, ${ds.queries.length} q) | char-bigram BM25 baseline | ${fmt(await evaluate(ds.queries, (q) => baseline(q, 10)))} |`);
  const dir = mkdtempSync(join(tmpdir(), 'yumen-bench-'));
  try {
    const { rows } = await runOn(ds, `sqlite:${join(dir, 'bench.db')}`, 'SQLite FTS5', embedder);
    for (const [name, m] of rows) console.log(`| ${ds.name} | ${name} | ${fmt(m)} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pgUrl = opt('--postgres');
  if (pgUrl) {
    const { rows } = await runOn(ds, pgUrl, 'PostgreSQL', null);
    for (const [name, m] of rows) console.log(`| ${ds.name} | ${name} | ${fmt(m)} |`);
  }
}
if (tuned.size) {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const best = [...tuned].sort((a, b) => mean(b[1]) - mean(a[1])).slice(0, 10);
  console.log('\nRe-scoring weights by mean MRR@10 over the CMRC sets (WebQA is not used for tuning):');
  for (const [w, m] of best) console.log(`${w}  mean ${mean(m).toFixed(4)}  per set ${m.map((x) => x.toFixed(4)).join(' / ')}`);
}
