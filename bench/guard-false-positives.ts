/**
 * Guard false positives on real Chinese text: CMRC 2018 dev passages and questions (Chinese Wikipedia), WebQA
 * test questions and evidence passages (web text) and the MSRA / Weibo / Resume NER sentences, read from ../shared/datasets when present (skipped
 * otherwise). These texts hold essentially no personal data, so every finding is a candidate false positive;
 * the table counts findings per type, and the passport section compares the rule chosen for unlabelled
 * passport numbers with looser ones.
 * Run: npm run bench:guard-false-positives
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createGuard, LOW_CONFIDENCE_SCORE } from '../src/guard/index.ts';

const DATASETS = resolve(process.env.YUMEN_DATASETS ?? join(import.meta.dirname, '../../shared/datasets'));
const CMRC = join(DATASETS, 'cmrc2018/cmrc2018_dev.json');
const WEBQA = join(DATASETS, 'webqa/webqa_test.ann.json');

function load(): string[] | null {
  if (!existsSync(CMRC) || !existsSync(WEBQA)) return null;
  const texts: string[] = [];
  for (const a of JSON.parse(readFileSync(CMRC, 'utf8')) as Array<{ context_text: string; qas: Array<{ query_text: string }> }>) {
    texts.push(a.context_text);
    for (const q of a.qas) texts.push(q.query_text);
  }
  const w = JSON.parse(readFileSync(WEBQA, 'utf8')) as Record<string, { question: string; evidences: Record<string, { evidence: string }> }>;
  for (const q of Object.values(w)) {
    texts.push(q.question);
    for (const e of Object.values(q.evidences)) texts.push(e.evidence);
  }
  // News, social media and CV sentences of the NER sets, when present: more text of other kinds.
  for (const file of ['ner/msra/train.jsonl', 'ner/msra/test.jsonl', 'ner/weibo/train.jsonl', 'ner/resume/train.jsonl']) {
    const path = join(DATASETS, file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) if (line.trim()) texts.push((JSON.parse(line) as { text: string }).text);
  }
  return texts;
}

const texts = load();
if (texts === null) {
  console.log(`datasets not found under ${DATASETS}: skipped`);
  process.exit(0);
}
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
console.log(`${texts.length} texts, ${(bytes / 1e6).toFixed(2)} MB UTF-8 (CMRC 2018 dev, WebQA test, MSRA, Weibo and Resume NER sentences)`);

const guard = createGuard();
const byType = new Map<string, number>();
let unlabelledPassports = 0;
for (const t of texts) {
  for (const f of guard.scan(t).findings) {
    byType.set(f.type, (byType.get(f.type) ?? 0) + 1);
    if (f.type === 'passport' && f.score < LOW_CONFIDENCE_SCORE) unlabelledPassports++;
  }
}
console.log('\n| type | findings | per MB |\n|---|---:|---:|');
for (const [type, n] of [...byType].sort((a, b) => b[1] - a[1])) console.log(`| ${type} | ${n} | ${(n / (bytes / 1e6)).toFixed(1)} |`);
console.log(`\nunlabelled passport findings (score < ${LOW_CONFIDENCE_SCORE}): ${unlabelledPassports}`);

// Candidate rules for a passport number with no label, loosest last.
const RULES: Array<[string, RegExp]> = [
  ['E+8 digits, E+letter+7 digits, G+8 digits (chosen)', /(?<![0-9A-Za-z])(?:E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8})(?![0-9A-Za-z])/g],
  ['+ D/S/P(+E) + 7 digits (diplomatic, service, public affairs)', /(?<![0-9A-Za-z])(?:E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8}|[DSP]E?\d{7})(?![0-9A-Za-z])/g],
  ['any 1–2 capitals + 6–9 digits (the labelled rule)', /(?<![0-9A-Za-z])[A-Z]{1,2}\d{6,9}(?![0-9A-Za-z])/g],
];
console.log('\n| unlabelled rule | hits | examples |\n|---|---:|---|');
for (const [name, re] of RULES) {
  let hits = 0;
  const examples: string[] = [];
  for (const t of texts) {
    for (const m of t.matchAll(re)) {
      hits++;
      if (examples.length < 3) examples.push(t.slice(Math.max(0, m.index - 6), m.index + m[0].length + 4).replace(/\s+/g, ' '));
    }
  }
  console.log(`| ${name} | ${hits} | ${examples.map((e) => `\`${e}\``).join(' ')} |`);
}
