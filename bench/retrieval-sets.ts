/**
 * Retrieval sets for bench/retrieval.ts, read from ../shared/datasets when present (never by the tests), and the
 * metrics every method is scored with. A set is a corpus of passages and queries, each query naming the ids of its
 * relevant passages (one on the public sets; several on a set given with --set).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Dataset {
  name: string;
  docs: Array<{ id: string; text: string }>;
  queries: Array<{ q: string; rel: string[] }>;
  /** May weights be fitted on it? (dev/train parts only; test parts are for measuring.) */
  fit: boolean;
}

interface CmrcPassage { context_id: string; context_text: string; qas: Array<{ query_text: string; answers: string[] }> }

function readCmrc(dir: string): CmrcPassage[] | null {
  const f = join(dir, 'cmrc2018/cmrc2018_dev.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as CmrcPassage[]) : null;
}

/** CMRC 2018 dev: 848 passages, each question's own passage relevant. */
export function loadCmrc(dir: string): Dataset | null {
  const raw = readCmrc(dir);
  if (!raw) return null;
  return {
    name: 'CMRC 2018 dev', fit: true,
    docs: raw.map((p) => ({ id: p.context_id, text: p.context_text })),
    queries: raw.flatMap((p) => p.qas.map((qa) => ({ q: qa.query_text, rel: [p.context_id] }))),
  };
}

/**
 * CMRC passages cut into windows of whole sentences (≤ 120 chars); a question's relevant window is the one holding
 * its answer, and its sibling windows (same article, same names, most of the query's terms) are topical distractors.
 */
export function loadCmrcWindows(dir: string): Dataset | null {
  const raw = readCmrc(dir);
  if (!raw) return null;
  const docs: Dataset['docs'] = [];
  const queries: Dataset['queries'] = [];
  for (const p of raw) {
    const sentences = p.context_text.match(/[^。！？；]+[。！？；]*/g) ?? [];
    const windows: Array<{ id: string; start: number; end: number }> = [];
    let start = 0, text = '';
    const close = () => {
      windows.push({ id: `${p.context_id}#${windows.length}`, start, end: start + text.length });
      docs.push({ id: windows.at(-1)!.id, text });
      start += text.length;
      text = '';
    };
    for (const s of sentences) {
      if (text && text.length + s.length > 120) close();
      text += s;
    }
    if (text) close();
    for (const qa of p.qas) {
      const at = p.context_text.indexOf(qa.answers[0]);
      const w = windows.find((x) => at >= x.start && at + qa.answers[0].length <= x.end);
      if (at >= 0 && w && windows.length > 1) queries.push({ q: qa.query_text, rel: [w.id] });
    }
  }
  return { name: 'CMRC answer windows', docs, queries, fit: true };
}

/** WebQA test: 3,024 questions, all 3,024 evidences as the corpus. A test part: never used for fitting. */
export function loadWebqa(dir: string): Dataset | null {
  const f = join(dir, 'webqa/webqa_test.ann.json');
  if (!existsSync(f)) return null;
  const raw = JSON.parse(readFileSync(f, 'utf8')) as Record<string, { question: string; evidences: Record<string, { evidence: string }> }>;
  const docs: Dataset['docs'] = [];
  const queries: Dataset['queries'] = [];
  for (const e of Object.values(raw)) {
    const rel = Object.keys(e.evidences);
    for (const [id, ev] of Object.entries(e.evidences)) docs.push({ id, text: ev.evidence });
    queries.push({ q: e.question, rel });
  }
  return { name: 'WebQA test', docs, queries, fit: false };
}

/**
 * Any other set, as JSON `{"name"?, "docs":[{"id","text"}], "queries":[{"q","rel":[id…]}]}` (e.g. a held-out set
 * with several relevant passages per question). Treated as a test part.
 */
export function loadSetFile(file: string): Dataset {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; docs: Dataset['docs']; queries: Array<{ q: string; rel: string[] | string }> };
  return { name: raw.name ?? file, docs: raw.docs, queries: raw.queries.map((x) => ({ q: x.q, rel: Array.isArray(x.rel) ? x.rel : [x.rel] })), fit: false };
}

export interface Metrics { r1: number; p5: number; r10: number; mrr5: number; mrr10: number; n: number; ms: number }

/** R@1 and R@10 (a relevant passage at rank 1 / in the top 10), P@5 (relevant share of the top 5), MRR@5 and MRR@10. */
export function metricsOf(queries: Dataset['queries'], ranked: ReadonlyArray<readonly string[]>, ms: number): Metrics {
  let r1 = 0, p5 = 0, r10 = 0, mrr5 = 0, mrr10 = 0;
  queries.forEach(({ rel }, i) => {
    const relevant = new Set(rel);
    const list = ranked[i];
    const first = list.findIndex((id) => relevant.has(id));
    if (first === 0) r1++;
    if (first >= 0 && first < 10) { r10++; mrr10 += 1 / (first + 1); }
    if (first >= 0 && first < 5) mrr5 += 1 / (first + 1);
    p5 += list.slice(0, 5).filter((id) => relevant.has(id)).length / 5;
  });
  const n = queries.length || 1;
  return { r1: r1 / n, p5: p5 / n, r10: r10 / n, mrr5: mrr5 / n, mrr10: mrr10 / n, n: queries.length, ms };
}

export const METRICS_HEADER = '| set | method | R@1 | P@5 | R@10 | MRR@5 | MRR@10 | ms/query |\n|---|---|---|---|---|---|---|---|';
export const fmtMetrics = (m: Metrics) => `${m.r1.toFixed(3)} | ${m.p5.toFixed(3)} | ${m.r10.toFixed(3)} | ${m.mrr5.toFixed(3)} | ${m.mrr10.toFixed(3)} | ${m.ms.toFixed(2)}`;
