/**
 * Retrieval quality on public Chinese sets (read from ../shared/datasets when present; skipped otherwise; see
 * bench/retrieval-sets.ts): CMRC 2018 dev (whole passages), CMRC answer windows (the hard set: the window holding the
 * answer among sibling windows of the same article) and WebQA test (held out: never used for fitting).
 * Every passage is ingested through the real pipeline (chunking, jieba, FTS5 / PostgreSQL postings) and ranked at
 * document level. In the same run and over the same tokens: MiniSearch and FlexSearch (bench/retrieval-peers.ts),
 * and a character-bigram BM25 baseline. Yumen is shown with its first stage alone and with the second-stage
 * re-scoring (src/knowledge/rescore.ts) applied to the same candidates.
 * `--tune` grid-searches the re-scoring weights on the sets that may be fitted (CMRC dev parts); WebQA stays held out.
 * `--postgres URL` repeats the Yumen rows on PostgreSQL, in a fresh database created beside URL's and dropped after.
 * `--set FILE` adds a set of your own (JSON, see loadSetFile). Hybrid (full-text + dense) is measured when
 * BENCH_EMBEDDING_BASE_URL and BENCH_EMBEDDING_MODEL name an OpenAI-compatible /embeddings server in the domain.
 * `--scale` runs bench/retrieval-scale.ts instead (knowledge bases of 10,000 and 100,000 documents).
 *
 *   npm run bench:retrieval [-- --postgres URL] [-- --limit N] [-- --only NAME] [-- --tune] [-- --set FILE] [-- --scale]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKnowledgeService, createSegmenter, modelEmbedder, type Embedder } from '../src/knowledge/index.ts';
import { DEFAULT_RESCORE_WEIGHTS, rescore, type RescoreWeights } from '../src/knowledge/rescore.ts';
import { isQueryStopChar } from '../src/knowledge/segmentation.ts';
import { createModelRegistry } from '../src/providers/index.ts';
import { openStore } from '../src/store/index.ts';
import { bigramBaseline, flexSearchPeer, miniSearchPeer, type Ranker } from './retrieval-peers.ts';
import { pgDatabase } from './retrieval-scale.ts';
import { fmtMetrics, loadCmrc, loadCmrcWindows, loadSetFile, loadWebqa, METRICS_HEADER, metricsOf, type Dataset, type Metrics } from './retrieval-sets.ts';

const args = process.argv.slice(2);
if (args.includes('--scale')) {
  await (await import('./retrieval-scale.ts')).runScale();
  process.exit(0);
}
const DATASETS = resolve(process.env.YUMEN_DATASETS ?? join(import.meta.dirname, '../../shared/datasets'));
const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const limit = Number(opt('--limit') ?? Infinity);
const tune = args.includes('--tune');
const only = opt('--only')?.toLowerCase();
/** --tune: MRR@10 of each weight setting on each set that may be fitted, averaged at the end. */
const tuned = new Map<string, number[]>();

function timed(queries: Dataset['queries'], rank: Ranker): Metrics {
  const t0 = performance.now();
  const ranked = queries.map(({ q }) => rank(q, 10));
  return metricsOf(queries, ranked, (performance.now() - t0) / queries.length);
}

function embedderFromEnv(): Embedder | null {
  const base = process.env.BENCH_EMBEDDING_BASE_URL;
  const model = process.env.BENCH_EMBEDDING_MODEL;
  if (!base || !model) return null;
  const registry = createModelRegistry([{ name: 'bench-embed', provider: 'openai-compatible', base_url: base, model, zone: 'private', type: 'embeddings' }] as never);
  return modelEmbedder(registry, 'bench-embed');
}

const byDoc = (docs: Iterable<string>) => [...new Set(docs)].slice(0, 10);

async function runOn(ds: Dataset, url: string, label: string, embedder: Embedder | null): Promise<Array<[string, Metrics]>> {
  const store = await openStore(url);
  try {
    const kb = createKnowledgeService({ store, embedder });
    const base = `bench-${ds.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.slice(0, 60);
    await kb.createBase({ tenant: 'bench', name: base });
    const failed = (await kb.ingestMany(null, base, ds.docs.map((d) => ({ source: d.id, name: d.id, bytes: Buffer.from(d.text) })))).filter((o) => o.status === 'failed');
    if (failed.length) throw new Error(`${failed.length} passages failed to ingest: ${failed[0].reason}`);
    const rows: Array<[string, Metrics]> = [];
    // One candidate list per query (first-stage order, knowledge.candidates chunks), re-scored in-process with the
    // function and inputs the service uses, so before and after rank exactly the same candidates.
    const seg = createSegmenter();
    const cands: Array<Array<{ item: string; score: number; text: string }>> = [];
    const t1 = performance.now();
    for (const { q } of ds.queries) cands.push((await kb.search(null, [base], q, { topK: 50, mode: 'fulltext', rescore: false })).map((r) => ({ item: r.document, score: r.score, text: r.heading ? `${r.heading}\n${r.text}` : r.text })));
    const msFirst = (performance.now() - t1) / ds.queries.length;
    rows.push([`Yumen first stage (${label})`, metricsOf(ds.queries, cands.map((c) => byDoc(c.map((x) => x.item))), msFirst)]);
    const words = ds.queries.map(({ q }) => seg.query(q).words);
    const rescored = (w: RescoreWeights) => {
      const t = performance.now();
      const ranked = cands.map((c, i) => byDoc(rescore(c, { text: ds.queries[i].q, words: words[i], isStopChar: isQueryStopChar }, w).map((x) => x.item)));
      return metricsOf(ds.queries, ranked, msFirst + (performance.now() - t) / ds.queries.length);
    };
    rows.push([`**Yumen** + re-scoring (${label})`, rescored(DEFAULT_RESCORE_WEIGHTS)]);
    if (tune && ds.fit) {
      for (const cover of [0, 1, 2, 3, 4]) for (const span of [0, 0.5, 1]) for (const near of [0, 0.25, 0.5, 1]) {
        const key = JSON.stringify({ ...DEFAULT_RESCORE_WEIGHTS, cover, span, near });
        tuned.set(key, [...(tuned.get(key) ?? []), rescored({ ...DEFAULT_RESCORE_WEIGHTS, cover, span, near }).mrr10]);
      }
    }
    if (embedder) {
      const t = performance.now();
      const ranked: string[][] = [];
      for (const { q } of ds.queries) ranked.push(byDoc((await kb.search(null, [base], q, { topK: 30, mode: 'hybrid' })).map((r) => r.document)));
      rows.push([`Yumen hybrid (${label})`, metricsOf(ds.queries, ranked, (performance.now() - t) / ds.queries.length)]);
    }
    return rows;
  } finally {
    await store.close();
  }
}

const sets = [loadCmrc(DATASETS), loadCmrcWindows(DATASETS), loadWebqa(DATASETS), ...(opt('--set') ? [loadSetFile(opt('--set')!)] : [])]
  .filter((d): d is Dataset => d !== null && (!only || d.name.toLowerCase().includes(only)))
  .map((d) => ({ ...d, queries: d.queries.slice(0, limit) }));
if (!sets.length) {
  console.log(`No datasets under ${DATASETS}: nothing to measure.`);
  process.exit(0);
}
const embedder = embedderFromEnv();
console.log(`sets from ${DATASETS}; embedding model: ${embedder ? process.env.BENCH_EMBEDDING_MODEL : 'none (full-text only)'}\n`);
console.log(METRICS_HEADER);
const seg = createSegmenter();
for (const ds of sets) {
  const title = `${ds.name} (${ds.docs.length} docs, ${ds.queries.length} q)`;
  console.log(`| ${title} | char-bigram BM25 baseline | ${fmtMetrics(timed(ds.queries, bigramBaseline(ds.docs)))} |`);
  console.log(`| ${ds.name} | MiniSearch 7 (same tokens) | ${fmtMetrics(timed(ds.queries, miniSearchPeer(ds.docs, seg)))} |`);
  console.log(`| ${ds.name} | FlexSearch 0.8 (same tokens) | ${fmtMetrics(timed(ds.queries, flexSearchPeer(ds.docs, seg, false)))} |`);
  console.log(`| ${ds.name} | FlexSearch 0.8, suggest (same tokens) | ${fmtMetrics(timed(ds.queries, flexSearchPeer(ds.docs, seg, true)))} |`);
  const dir = mkdtempSync(join(tmpdir(), 'yumen-bench-'));
  try {
    for (const [name, m] of await runOn(ds, `sqlite:${join(dir, 'bench.db')}`, 'SQLite', embedder)) console.log(`| ${ds.name} | ${name} | ${fmtMetrics(m)} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pgUrl = opt('--postgres');
  if (pgUrl) {
    const pgdb = await pgDatabase(pgUrl);
    try {
      for (const [name, m] of await runOn(ds, pgdb.url, 'PostgreSQL', null)) console.log(`| ${ds.name} | ${name} | ${fmtMetrics(m)} |`);
    } finally {
      await pgdb.drop();
    }
  }
}
if (tuned.size) {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const best = [...tuned].sort((a, b) => mean(b[1]) - mean(a[1])).slice(0, 10);
  console.log('\nRe-scoring weights by mean MRR@10 over the sets that may be fitted (WebQA is not used):');
  for (const [w, m] of best) console.log(`${w}  mean ${mean(m).toFixed(4)}  per set ${m.map((x) => x.toFixed(4)).join(' / ')}`);
}
