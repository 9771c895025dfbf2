/**
 * Guard quality: precision and recall per finding type on the generated corpus and on the hand-written set;
 * person names and street-level addresses on the held-out test splits of the public NER corpora
 * (../shared/datasets/ner, when present; never used for training or tuning); findings per 100 KB of
 * ordinary text (WebQA, CMRC 2018) with the precision of the hand-labelled sample
 * (bench/fixtures/ordinary-text-labels.json). A prediction matches a gold label of the same type when their
 * spans overlap by IoU >= 0.5.
 * Run: npm run bench:guard-quality [-- --docs N] [--verbose] [--dev]
 *   --dev: the corpora's development splits instead of their test splits (what tuning may look at).
 */
import { createGuard, FINDING_TYPES } from '../src/guard/index.ts';
import type { FindingType, Guard } from '../src/guard/index.ts';
import { datasetsDir, loadSplit, msraSplit } from './ner-data.ts';
import { ordinaryPassages, scoreOrdinary, wilson } from './ordinary-text.ts';
import { generateCorpus, TENANT_TERMS } from './guard-corpus.ts';
import type { Label } from './guard-corpus.ts';
import { HANDWRITTEN, parseMarked } from '../test/guard/fixtures/handwritten.ts';

interface Counts { tp: number; fp: number; fn: number }
type Table = Map<FindingType, Counts>;

function iou(a: { start: number; end: number }, b: { start: number; end: number }): number {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  if (inter <= 0) return 0;
  return inter / (Math.max(a.end, b.end) - Math.min(a.start, b.start));
}

export function evaluate(
  docs: ReadonlyArray<{ id?: string; text: string; labels: Label[] }>, verbose = false,
  guard: Guard = createGuard({ customTerms: TENANT_TERMS }),
): Table {
  const table: Table = new Map(FINDING_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  for (const d of docs) {
    const preds = guard.scan(d.text).findings;
    const used = new Set<number>();
    for (const p of preds) {
      let hit = -1;
      for (let i = 0; i < d.labels.length; i++) {
        const l = d.labels[i];
        if (!used.has(i) && l.type === p.type && iou(l, p) >= 0.5) { hit = i; break; }
      }
      const c = table.get(p.type)!;
      if (hit >= 0) { used.add(hit); c.tp++; } else {
        c.fp++;
        if (verbose) console.log(`FP ${p.type} ${JSON.stringify(d.text.slice(p.start, p.end))} in ${d.id ?? ''}: ${JSON.stringify(d.text.slice(Math.max(0, p.start - 15), p.end + 15))}`);
      }
    }
    d.labels.forEach((l, i) => {
      if (used.has(i)) return;
      table.get(l.type)!.fn++;
      if (verbose) console.log(`FN ${l.type} ${JSON.stringify(d.text.slice(l.start, l.end))} in ${d.id ?? ''}: ${JSON.stringify(d.text.slice(Math.max(0, l.start - 15), l.end + 15))}`);
    });
  }
  return table;
}

function fmt(x: number): string { return Number.isNaN(x) ? '  –  ' : x.toFixed(3); }

export function formatTable(title: string, table: Table): string {
  const lines = [`### ${title}`, '', '| type | gold | predicted | precision | recall |', '|---|---:|---:|---:|---:|'];
  for (const [type, c] of table) {
    if (c.tp + c.fp + c.fn === 0) continue;
    lines.push(`| ${type} | ${c.tp + c.fn} | ${c.tp + c.fp} | ${fmt(c.tp / (c.tp + c.fp))} | ${fmt(c.tp / (c.tp + c.fn))} |`);
  }
  return lines.join('\n');
}

/**
 * A test split (or with `dev`, the development split: MSRA's held-out training sentences, the others' dev
 * files) as documents with person_name and address labels (street-level LOC chains).
 */
function corpusDocs(dir: string, corpus: string, dev = false): Array<{ id: string; text: string; labels: Label[] }> {
  const split = !dev ? loadSplit(dir, corpus, 'test') : corpus === 'msra' ? msraSplit(dir).dev : loadSplit(dir, corpus, 'dev');
  return split.map((x, i) => ({
    id: `${corpus}-${i}`,
    text: x.text,
    labels: [
      ...x.per.map(([start, end]) => ({ type: 'person_name' as const, start, end })),
      ...x.adr.map(([start, end]) => ({ type: 'address' as const, start, end })),
    ],
  }));
}

function corpusTable(title: string, rows: Array<[string, Table, Table]>): string {
  const lines = [`### ${title}`, '',
    '| corpus (test split) | type | gold | predicted | precision | recall | P, 95 % interval | R, 95 % interval | rules only: P | R |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const [name, t, r] of rows) {
    for (const type of ['person_name', 'address'] as const) {
      const c = t.get(type)!;
      const d = r.get(type)!;
      if (c.tp + c.fn === 0) continue;
      lines.push(`| ${name} | ${type} | ${c.tp + c.fn} | ${c.tp + c.fp} | ${fmt(c.tp / (c.tp + c.fp))} | ${fmt(c.tp / (c.tp + c.fn))} | ${wilson(c.tp, c.tp + c.fp)} | ${wilson(c.tp, c.tp + c.fn)} | ${fmt(d.tp / (d.tp + d.fp))} | ${fmt(d.tp / (d.tp + d.fn))} |`);
    }
  }
  return lines.join('\n');
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const args = process.argv.slice(2);
  const n = Number(args[args.indexOf('--docs') + 1]) || 2000;
  const verbose = args.includes('--verbose');
  const corpus = generateCorpus(n);
  console.log(formatTable(`Generated corpus (${n} documents, seed 20261129)`, evaluate(corpus, verbose)));
  console.log('');
  const hand = HANDWRITTEN.map((m, i) => ({ id: `hand-${i}`, ...parseMarked(m) }));
  console.log(formatTable(`Hand-written set (${hand.length} texts)`, evaluate(hand, verbose || args.includes('--verbose-hand'))));
  const dir = datasetsDir();
  if (dir === null) {
    console.log('\n(public corpora skipped: ../shared/datasets not found; set YUMEN_DATASETS)');
  } else {
    const plain = createGuard();
    const rules = createGuard({ tagger: false });
    const v = args.includes('--verbose-corpora');
    const rows: Array<[string, Table, Table]> = [];
    const dev = args.includes('--dev');
    for (const [name, c] of [['msra (news)', 'msra'], ['weibo (social media)', 'weibo'], ['resume (CVs)', 'resume']] as const) {
      const docs = corpusDocs(dir, c, dev);
      rows.push([name, evaluate(docs, v, plain), evaluate(docs, false, rules)]);
      // MSRA's test split holds one 2,427-character sentence, a funeral committee's list of 617 names run
      // together: a third of the split's names. The row without it shows the rest of the news text.
      const long = docs.filter((d) => d.text.length > 1000);
      if (long.length > 0) {
        const rest = docs.filter((d) => d.text.length <= 1000);
        rows.push([`${name}, without its ${long.length} sentence(s) over 1,000 characters`, evaluate(rest, false, plain), evaluate(rest, false, rules)]);
      }
    }
    console.log('');
    console.log(corpusTable(dev
      ? 'Public NER corpora, DEVELOPMENT splits (for tuning; the figures to report are the test splits\')'
      : 'Public NER corpora, held-out test splits (person names; addresses = street-level LOC chains)', rows));
    console.log('');
    console.log(scoreOrdinary(plain, ordinaryPassages(dir), args.includes('--verbose-ordinary')));
  }
}
