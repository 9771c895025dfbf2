/**
 * Peak resident memory of the process while a bomb is parsed (issue 12, item 2): the parse path before the
 * fix (fflate unzipSync / pdf.js on the calling thread) against the one now used by the server (limits +
 * worker). One mode per process: `node --expose-gc --import tsx bench/ingest-bomb.ts make|before|after docx|pdf`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { extractText, getDocumentProxy } from 'unpdf';
import { createWorkerParser } from '../src/knowledge/index.ts';
import { docxBomb, pdfBomb } from '../test/knowledge/bomb-fixtures.ts';

const [mode = 'after', kind = 'docx'] = process.argv.slice(2);
// The bombs are made once by a separate process, so building them does not count here.
const file = join(tmpdir(), `yumen-bomb.${kind}`);
if (mode === 'make') {
  writeFileSync(file, kind === 'docx' ? docxBomb(1024) : pdfBomb(300));
  process.exit(0);
}
const bomb = readFileSync(file);
if (global.gc) global.gc();
const base = process.memoryUsage().rss;
let peak = base;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
let outcome = '';
const t0 = performance.now();
try {
  if (mode === 'before') {
    if (kind === 'docx') {
      const zip = unzipSync(bomb);
      outcome = `unpacked ${Object.values(zip).reduce((n, b) => n + b.length, 0)} bytes`;
    } else {
      const pdf = await getDocumentProxy(new Uint8Array(bomb), { verbosity: 0 } as never);
      outcome = `extracted ${(await extractText(pdf, { mergePages: true })).text.length} chars`;
    }
  } else {
    const parser = createWorkerParser();
    try { await parser.parse(`bomb.${kind}`, bomb); outcome = 'parsed?!'; } catch (err) { outcome = (err as Error).message; } finally { await parser.close(); }
  }
} catch (err) {
  outcome = `threw: ${(err as Error).message.slice(0, 80)}`;
}
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
const mb = (n: number) => Math.round(n / 1048576);
console.log(JSON.stringify({ mode, kind, bomb_bytes: bomb.length, rss_before_mb: mb(base), rss_peak_mb: mb(peak), growth_mb: mb(peak - base), ms: Math.round(performance.now() - t0), outcome: outcome.slice(0, 120) }));
