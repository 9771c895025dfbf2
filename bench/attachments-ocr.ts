/**
 * What OCR loses on the attachment path: text rendered to images, the way a screenshot or a photographed page reaches
 * the gateway, read back by the attachment reader (tesseract chi_sim, offline) and scanned by the guard, against the
 * same text scanned directly. Two sets:
 * - documents of the generated corpus (seed 31, not the quality corpus's), cut to a page: per type, which of the values
 *   the guard finds in the text it still finds in the image, and the share of documents whose image is still flagged
 *   at the text's level — what decides the route, since a finding inside an attachment sends the request to the
 *   private model (policy/decide.ts);
 * - pages of real news sentences with labelled names (MSRA, the development sentences held out of training — never
 *   the test split): name recall against the labels, read from the text and from the image.
 * Rendered by Debian's Chromium in WenQuanYi Zen Hei at several sizes (CSS px; a phone screenshot of body text is
 * ≈ 14–18 px, a scan at 150 dpi of 10.5 pt text ≈ 22 px), and at 18 px turned a quarter and a half (a page photographed
 * sideways or upside down). Needs `apt-get install chromium fonts-wqy-zenhei`.
 * Run: npm run bench:attachments-ocr [-- --docs N --pages N --sizes 14,18,24]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { AttachmentScanner } from '../src/gateway/attachments.ts';
import { createGuard, levelRank, type Level } from '../src/guard/index.ts';
import { createFileTextReader } from '../src/knowledge/index.ts';
import { generateCorpus } from './guard-corpus.ts';
import { datasetsDir, msraSplit } from './ner-data.ts';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '40' }, pages: { type: 'string', default: '12' }, sizes: { type: 'string', default: '14,18,24' } } });
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FONT = 'WenQuanYi Zen Hei';
if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
if (!execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).includes(FONT)) throw new Error(`no ${FONT} font (apt-get install fonts-wqy-zenhei)`);

const sizes = values.sizes.split(',').map(Number);
const guard = createGuard({ scanCacheEntries: 0 });
const reader = createFileTextReader();
let lastText = '';
const scanner = new AttachmentScanner(async (name, bytes, deadline) => (lastText = await reader.read(name, bytes, deadline)));
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const compact = (s: string): string => s.replace(/\s+/g, '');

async function render(p: Page, text: string, px: number): Promise<Buffer> {
  await p.setContent(`<html><body style="font: ${px}px '${FONT}'; margin: 24px; white-space: pre-wrap; background: #fff; color: #111">${escapeHtml(text)}</body></html>`);
  return p.screenshot({ fullPage: true });
}

/** The page turned by `deg` (a photo taken sideways or upside down), on a square canvas that holds it whole. */
async function renderTurned(p: Page, text: string, px: number, deg: number): Promise<Buffer> {
  await p.setViewportSize({ width: 1100, height: 1100 });
  await p.setContent(`<html><body style="margin: 0; background: #fff"><div style="position: absolute; left: 550px; top: 550px; width: 950px; transform: translate(-50%, -50%) rotate(${deg}deg); font: ${px}px '${FONT}'; white-space: pre-wrap; color: #111">${escapeHtml(text)}</div></body></html>`);
  const png = await p.screenshot();
  await p.setViewportSize({ width: 1000, height: 600 });
  return png;
}

/** Reads the image as the gateway does (a request with it attached): the attachment findings, and the text OCR read. */
async function readImage(png: Buffer, i: number): Promise<{ level: Level; text: string; ms: number }> {
  const body = { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } }] }] };
  const t0 = performance.now();
  const r = await scanner.scan(`bench-${i}`, guard, body);
  const level = r.findings.reduce<Level>((l, f) => (levelRank(f.level) > levelRank(l) ? f.level : l), 'public');
  return { level, text: lastText, ms: performance.now() - t0 };
}

/** How many of `want` (values) appear in `got`, each used once. */
function matched(want: string[], got: string[]): number {
  const pool = new Map<string, number>();
  for (const g of got) pool.set(g, (pool.get(g) ?? 0) + 1);
  let n = 0;
  for (const w of want) {
    const c = pool.get(w) ?? 0;
    if (c > 0) { n++; pool.set(w, c - 1); }
  }
  return n;
}

const median = (a: number[]): number => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? 0;
let reads = 0;

// 1. Generated documents, cut to a page at a line end.
const docs = generateCorpus(Number(values.docs), 31).map((d) => {
  const cut = d.text.length > 420 ? d.text.lastIndexOf('\n', 420) : d.text.length;
  return d.text.slice(0, cut > 100 ? cut : 420);
});
console.log(`## OCR on the attachment path: ${docs.length} generated documents (≤ 420 characters each)\n`);
const perType = new Map<string, Map<number, [number, number]>>();
/** Per type: documents whose text holds it, and of them those whose image still does (any value: what routes it). */
const present = new Map<string, Map<number, [number, number]>>();
const flagged = new Map<number, [number, number]>();
const times = new Map<number, number[]>();
for (const px of sizes) {
  for (const [i, text] of docs.entries()) {
    const want = guard.scan(text);
    const img = await readImage(await render(page, text, px), reads++);
    (times.get(px) ?? times.set(px, []).get(px)!).push(img.ms);
    const f = flagged.get(px) ?? [0, 0];
    if (want.level !== 'public') { f[1]++; if (levelRank(img.level) >= levelRank(want.level)) f[0]++; }
    flagged.set(px, f);
    const got = guard.scan(img.text).findings;
    for (const type of new Set(want.findings.map((x) => x.type))) {
      const w = want.findings.filter((x) => x.type === type).map((x) => compact(text.slice(x.start, x.end)));
      const g = got.filter((x) => x.type === type).map((x) => compact(img.text.slice(x.start, x.end)));
      const byPx = perType.get(type) ?? perType.set(type, new Map()).get(type)!;
      const e = byPx.get(px) ?? [0, 0];
      e[0] += matched(w, g);
      e[1] += w.length;
      byPx.set(px, e);
      const docsPx = present.get(type) ?? present.set(type, new Map()).get(type)!;
      const d = docsPx.get(px) ?? [0, 0];
      d[0] += g.length > 0 ? 1 : 0;
      d[1]++;
      docsPx.set(px, d);
    }
  }
}
// The same documents photographed turned, at 18 px: still flagged at their level?
const turned = new Map<number, [number, number]>();
for (const deg of [90, 180]) {
  const f: [number, number] = [0, 0];
  for (const text of docs) {
    const want = guard.scan(text);
    if (want.level === 'public') continue;
    const img = await readImage(await renderTurned(page, text, 18, deg), reads++);
    f[1]++;
    if (levelRank(img.level) >= levelRank(want.level)) f[0]++;
  }
  turned.set(deg, f);
}
const pct = ([k, n]: [number, number]): string => (n === 0 ? '–' : `${k}/${n} = ${(k / n).toFixed(3)}`);
console.log(`| | ${sizes.map((s) => `${s} px`).join(' | ')} |`);
console.log(`|---|${sizes.map(() => '---:').join('|')}|`);
console.log(`| documents still flagged at the text's level | ${sizes.map((s) => pct(flagged.get(s)!)).join(' | ')} |`);
console.log(`| OCR ms per image, p50 | ${sizes.map((s) => median(times.get(s)!).toFixed(0)).join(' | ')} |`);
for (const [type, byPx] of [...perType].sort()) console.log(`| ${type}: same value found | ${sizes.map((s) => pct(byPx.get(s) ?? [0, 0])).join(' | ')} |`);
for (const [type, byPx] of [...present].sort()) console.log(`| ${type}: still in the document (any value) | ${sizes.map((s) => pct(byPx.get(s) ?? [0, 0])).join(' | ')} |`);
console.log(`\nPhotographed turned (18 px): still flagged at the text's level, a quarter turned ${pct(turned.get(90)!)}, a half turned ${pct(turned.get(180)!)}.`);

// 2. Real news with labelled names: the development sentences held out of training.
const dir = datasetsDir();
if (dir === null) {
  console.log('\n(no ../shared/datasets: the news set is skipped)');
} else {
  const dev = msraSplit(dir).dev.filter((s) => s.per.length > 0);
  const pages: Array<{ text: string; names: string[] }> = [];
  for (let k = 0; k < Number(values.pages) && (k + 1) * 8 <= dev.length; k++) {
    const group = dev.slice(k * 8, k * 8 + 8);
    pages.push({ text: group.map((s) => s.text).join('\n'), names: group.flatMap((s) => s.per.map(([a, b]) => s.text.slice(a, b))) });
  }
  const gold = pages.reduce((n, p) => n + p.names.length, 0);
  console.log(`\n## Names in news through OCR: ${pages.length} pages of 8 MSRA development sentences, ${gold} labelled names\n`);
  const names = (t: string): string[] => guard.scan(t).findings.filter((f) => f.type === 'person_name').map((f) => compact(t.slice(f.start, f.end)));
  // Exact values: MSRA labels a bare surname where the guard reports 郭某, so the text's figure is below
  // bench:guard-quality's (spans overlapping by half); what matters here is what the image loses against the text.
  const inText = pages.map((p) => names(p.text));
  const fromText = pages.reduce((n, p, k) => n + matched(p.names, inText[k]), 0);
  const keptOfText = inText.reduce((n, t) => n + t.length, 0);
  console.log(`| | text | ${sizes.map((s) => `image, ${s} px`).join(' | ')} |`);
  console.log(`|---|---:|${sizes.map(() => '---:').join('|')}|`);
  const labelled: string[] = [];
  const kept: string[] = [];
  for (const px of sizes) {
    let k = 0;
    let same = 0;
    for (const [j, p] of pages.entries()) {
      const got = names((await readImage(await render(page, p.text, px), reads++)).text);
      k += matched(p.names, got);
      same += matched(inText[j], got);
    }
    labelled.push(pct([k, gold]));
    kept.push(pct([same, keptOfText]));
  }
  console.log(`| labelled names found (exact value) | ${pct([fromText, gold])} | ${labelled.join(' | ')} |`);
  console.log(`| names the text yields, still found in the image | – | ${kept.join(' | ')} |`);
}
await browser.close();
await reader.close();
