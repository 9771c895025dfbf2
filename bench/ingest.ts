/**
 * Ingest speed per format (MB/s of extracted text) and a 1,000-document run with peak memory.
 * Text comes from CMRC 2018 passages when ../shared/datasets is present, else from a generated Chinese text.
 * Each format's files are built in memory (zip + XML for DOCX/XLSX/PPTX/OFD; a hand-written PDF holds ASCII
 * text only, since the standard Helvetica font has no Chinese glyphs).
 *
 *   npm run bench:ingest [-- --docs 1000] [-- --only-mixed]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { createKnowledgeService, parseDocument } from '../src/knowledge/index.ts';
import { openStore } from '../src/store/index.ts';

const args = process.argv.slice(2);
const DOCS = Number(args[args.indexOf('--docs') + 1] || 1000) || 1000;
/** Skips the per-format table (the mixed-document run alone). */
const ONLY_MIXED = args.includes('--only-mixed');
const DATASETS = resolve(process.env.YUMEN_DATASETS ?? join(import.meta.dirname, '../../shared/datasets'));
const cmrc = join(DATASETS, 'cmrc2018/cmrc2018_dev.json');
const passages: string[] = existsSync(cmrc)
  ? (JSON.parse(readFileSync(cmrc, 'utf8')) as Array<{ context_text: string }>).map((p) => p.context_text)
  : Array.from({ length: 800 }, (_, i) => `第${i}条 为规范财政资金管理，提高资金使用效益，根据有关法律法规，结合本地实际，制定本办法。各单位应当按照预算执行，不得超标准列支。`.repeat(4));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const x = (s: string) => strToU8(`<?xml version="1.0" encoding="UTF-8"?>${s}`);

/** ~`size` characters of text split into paragraphs. */
function text(seed: number, size: number): string[] {
  const out: string[] = [];
  let n = 0;
  for (let i = seed; n < size; i++) { const p = passages[i % passages.length]; out.push(p); n += p.length; }
  return out;
}

const BUILD: Record<string, (paras: string[]) => Uint8Array> = {
  txt: (p) => strToU8(p.join('\n\n')),
  md: (p) => strToU8(p.map((t, i) => (i % 5 === 0 ? `## 第${i}节\n\n${t}` : t)).join('\n\n')),
  html: (p) => strToU8(`<html><body>${p.map((t, i) => (i % 5 === 0 ? `<h2>第${i}节</h2>` : '') + `<p>${esc(t)}</p>`).join('')}</body></html>`),
  csv: (p) => strToU8(`编号,内容\n${p.map((t, i) => `${i},"${t.replaceAll('"', '""')}"`).join('\n')}`),
  docx: (p) => zipSync({ 'word/document.xml': x(`<w:document xmlns:w="w"><w:body>${p.map((t) => `<w:p><w:r><w:t>${esc(t)}</w:t></w:r></w:p>`).join('')}</w:body></w:document>`) }),
  xlsx: (p) => zipSync({
    'xl/workbook.xml': x('<workbook><sheets><sheet name="S" sheetId="1"/></sheets></workbook>'),
    'xl/worksheets/sheet1.xml': x(`<worksheet><sheetData><row><c t="inlineStr"><is><t>编号</t></is></c><c t="inlineStr"><is><t>内容</t></is></c></row>${p.map((t, i) => `<row><c><v>${i}</v></c><c t="inlineStr"><is><t>${esc(t)}</t></is></c></row>`).join('')}</sheetData></worksheet>`),
  }),
  pptx: (p) => zipSync(Object.fromEntries(p.map((t, i) => [`ppt/slides/slide${i + 1}.xml`, x(`<p:sld xmlns:p="p" xmlns:a="a"><p:sp><p:txBody><a:p><a:r><a:t>${esc(t)}</a:t></a:r></a:p></p:txBody></p:sp></p:sld>`)]))),
  ofd: (p) => zipSync({
    'OFD.xml': x('<ofd:OFD xmlns:ofd="o"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'),
    'Doc_0/Document.xml': x(`<ofd:Document xmlns:ofd="o">${p.map((_, i) => `<ofd:Page ID="${i}" BaseLoc="Pages/Page_${i}/Content.xml"/>`).join('')}</ofd:Document>`),
    ...Object.fromEntries(p.map((t, i) => [`Doc_0/Pages/Page_${i}/Content.xml`, x(`<ofd:Page xmlns:ofd="o"><ofd:TextObject Boundary="0 0 1 1"><ofd:TextCode>${esc(t)}</ofd:TextCode></ofd:TextObject></ofd:Page>`)])),
  }),
  pdf: (p) => {
    const objs: string[] = ['', '<< /Type /Catalog /Pages 2 0 R >>', '', '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
    const kids: number[] = [];
    for (const t of p) {
      const ascii = Buffer.from(t).toString('base64').slice(0, t.length * 2);
      const lines = ascii.match(/.{1,90}/g) ?? [];
      const stream = `BT /F1 9 Tf 20 800 Td 11 TL ${lines.map((l) => `(${l}) '`).join(' ')} ET`;
      objs.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
      objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${objs.length - 1} 0 R >>`);
      kids.push(objs.length - 1);
    }
    objs[2] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
    let out = '%PDF-1.4\n';
    const off: number[] = [];
    for (let i = 1; i < objs.length; i++) { off[i] = out.length; out += `${i} 0 obj\n${objs[i]}\nendobj\n`; }
    const xref = out.length;
    out += `xref\n0 ${objs.length}\n0000000000 65535 f \n${off.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${objs.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return strToU8(out);
  },
};

const mb = (chars: number) => Buffer.byteLength('字', 'utf8') * chars / 1e6; // UTF-8 MB of CJK text (3 bytes a character)
console.log(`text from ${existsSync(cmrc) ? 'CMRC 2018 dev passages' : 'generated Chinese text'}\n`);
console.log('| format | files | text MB | parse MB/s | parse + chunk + segment + index (SQLite) MB/s |\n|---|---|---|---|---|');
const dir = mkdtempSync(join(tmpdir(), 'yumen-ingest-'));
try {
  const store = await openStore(`sqlite:${join(dir, 'ingest.db')}`);
  const kb = createKnowledgeService({ store });
  await kb.createBase({ tenant: 'bench', name: 'ingest' });
  for (const [format, build] of ONLY_MIXED ? [] : Object.entries(BUILD)) {
    const files = Array.from({ length: 20 }, (_, i) => build(text(i * 13, 60_000)));
    let chars = 0;
    const t0 = performance.now();
    for (const [i, f] of files.entries()) chars += (await parseDocument(`f${i}.${format}`, f)).blocks.reduce((n, b) => n + b.text.length, 0);
    const parseS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    for (const [i, f] of files.entries()) await kb.ingest(null, 'ingest', { name: `${format}-${i}.${format}`, bytes: f });
    const fullS = (performance.now() - t1) / 1000;
    const textMb = format === 'pdf' ? chars / 1e6 : mb(chars);
    console.log(`| ${format} | ${files.length} | ${textMb.toFixed(1)} | ${(textMb / parseS).toFixed(1)} | ${(textMb / fullS).toFixed(2)} |`);
  }
  await kb.createBase({ tenant: 'bench', name: 'thousand' });
  // Peak RSS of this run alone: the kernel's high-water mark, reset first (a timer would not fire while ingest
  // runs on SQLite, whose awaits settle without turning the event loop).
  writeFileSync('/proc/self/clear_refs', '5');
  const formats = Object.keys(BUILD);
  const t2 = performance.now();
  let chars = 0;
  for (let i = 0; i < DOCS; i++) {
    const format = formats[i % formats.length];
    const out = await kb.ingest(null, 'thousand', { name: `doc-${i}.${format}`, bytes: BUILD[format](text(i * 7, 8_000)) });
    chars += out.chars;
  }
  const s = (performance.now() - t2) / 1000;
  const peakRss = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
  const { documents, chunks } = (await kb.listBases(null)).find((b) => b.name === 'thousand')!;
  console.log(`\n${DOCS} mixed documents (${documents} stored, ${chunks} chunks, ${(chars / 1e6).toFixed(1)} M characters): ${s.toFixed(1)} s, ${(DOCS / s).toFixed(1)} docs/s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
