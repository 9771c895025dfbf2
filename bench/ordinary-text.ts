/**
 * False finds on ordinary text: the 3,024 WebQA evidence passages and the 848 CMRC 2018 passages
 * (../shared/datasets) hold almost no personal data of private persons, so what the guard flags there is
 * mostly wrong. Reports findings per 100 KB by type and, for person names and addresses, the precision
 * over the hand-labelled findings in bench/fixtures/ordinary-text-labels.json.
 *
 * Labelling rule (for the fixture): a person_name finding is correct when its span is a person's name
 * (real or fictional, Chinese or foreign, boundaries off by at most one character); an address finding is
 * correct when it names a place down to a street, road, village, building or number (a bare city,
 * province, scenic spot or organisation is wrong).
 *
 * Run: tsx bench/ordinary-text.ts --sample N [--seed S] [--type person_name|address]   (prints up to N
 * unlabelled name and address findings as JSON lines, a seeded uniform sample, to label and add to the
 * fixture; use a seed never used before for a fresh sample: 20261202 is the default)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGuard } from '../src/guard/index.ts';
import type { Guard } from '../src/guard/index.ts';
import { datasetsDir } from './ner-data.ts';
import { mulberry32 } from './guard-values.ts';

export interface Passage { id: string; text: string }
export interface LabelledFinding { id: string; type: 'person_name' | 'address'; start: number; end: number; text: string; ok: boolean }

export const LABELS_FILE = join(import.meta.dirname, 'fixtures/ordinary-text-labels.json');

export function ordinaryPassages(dir: string): Passage[] {
  const out: Passage[] = [];
  const webqa = JSON.parse(readFileSync(join(dir, 'webqa/webqa_test.ann.json'), 'utf8')) as
    Record<string, { evidences: Record<string, { evidence: string }> }>;
  for (const q of Object.values(webqa)) for (const [id, e] of Object.entries(q.evidences)) out.push({ id: `webqa:${id}`, text: e.evidence });
  const cmrc = JSON.parse(readFileSync(join(dir, 'cmrc2018/cmrc2018_dev.json'), 'utf8')) as
    Array<{ context_id: string; context_text: string }>;
  for (const p of cmrc) out.push({ id: `cmrc:${p.context_id}`, text: p.context_text });
  return out;
}

function loadLabels(): LabelledFinding[] {
  try {
    return JSON.parse(readFileSync(LABELS_FILE, 'utf8')) as LabelledFinding[];
  } catch {
    return [];
  }
}

const key = (id: string, type: string, start: number, end: number): string => `${id}|${type}|${start}|${end}`;

/**
 * The 95 % Wilson interval of a proportion k / n, as "lo–hi": how far a figure measured on few spans (27 street
 * addresses, 113 Weibo names) may lie from the corpus's true rate.
 */
export function wilson(k: number, n: number): string {
  if (n === 0) return '–';
  const z = 1.96;
  const p = k / n;
  const mid = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return `${Math.max(0, mid - half).toFixed(2)}–${Math.min(1, mid + half).toFixed(2)}`;
}

export function scoreOrdinary(guard: Guard, passages: readonly Passage[], verbose = false): string {
  const labels = new Map(loadLabels().map((l) => [key(l.id, l.type, l.start, l.end), l]));
  let bytes = 0;
  const perType = new Map<string, number>();
  const judged = { person_name: { ok: 0, wrong: 0, unlabelled: 0 }, address: { ok: 0, wrong: 0, unlabelled: 0 } };
  for (const p of passages) {
    bytes += Buffer.byteLength(p.text);
    for (const f of guard.scan(p.text).findings) {
      perType.set(f.type, (perType.get(f.type) ?? 0) + 1);
      if (f.type !== 'person_name' && f.type !== 'address') continue;
      const l = labels.get(key(p.id, f.type, f.start, f.end));
      const j = judged[f.type];
      if (!l) j.unlabelled++;
      else if (l.ok) j.ok++;
      else {
        j.wrong++;
        if (verbose) console.log(`wrong ${f.type} ${l.text} in ${p.id}: ${p.text.slice(Math.max(0, f.start - 12), f.end + 12)}`);
      }
    }
  }
  const kb = bytes / 1024;
  const lines = [`### Ordinary text: WebQA + CMRC 2018 (${passages.length} passages, ${(bytes / 1e6).toFixed(2)} MB)`, '',
    '| type | findings | per 100 KB |', '|---|---:|---:|'];
  for (const [t, c] of [...perType].sort((a, b) => b[1] - a[1])) lines.push(`| ${t} | ${c} | ${(c / kb * 100).toFixed(2)} |`);
  lines.push('', '| type | hand-labelled findings | correct | precision | 95 % interval | findings not in the labelled sample |', '|---|---:|---:|---:|---:|---:|');
  for (const t of ['person_name', 'address'] as const) {
    const j = judged[t];
    const n = j.ok + j.wrong;
    lines.push(`| ${t} | ${n} | ${j.ok} | ${n ? (j.ok / n).toFixed(3) : '–'} | ${wilson(j.ok, n)} | ${j.unlabelled} |`);
  }
  return lines.join('\n');
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const dir = datasetsDir();
  if (dir === null) throw new Error('../shared/datasets not found');
  const limit = Number(process.argv[process.argv.indexOf('--sample') + 1]) || 150;
  const labels = new Set(loadLabels().map((l) => key(l.id, l.type, l.start, l.end)));
  const guard = createGuard();
  const pool: Record<'person_name' | 'address', string[]> = { person_name: [], address: [] };
  for (const p of ordinaryPassages(dir)) {
    for (const f of guard.scan(p.text).findings) {
      if (f.type !== 'person_name' && f.type !== 'address') continue;
      if (labels.has(key(p.id, f.type, f.start, f.end))) continue;
      pool[f.type].push(JSON.stringify({ id: p.id, type: f.type, start: f.start, end: f.end, text: p.text.slice(f.start, f.end),
        context: p.text.slice(Math.max(0, f.start - 15), f.end + 15) }));
    }
  }
  // A seeded uniform sample, so that the labelled findings stand for all of them.
  const seedAt = process.argv.indexOf('--seed');
  const rng = mulberry32(seedAt > 0 ? Number(process.argv[seedAt + 1]) : 20261202);
  const typeAt = process.argv.indexOf('--type');
  for (const [type, list] of Object.entries(pool)) {
    if (typeAt > 0 && process.argv[typeAt + 1] !== type) continue;
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    for (const line of list.slice(0, limit)) console.log(line);
  }
}
