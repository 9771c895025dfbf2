/**
 * What reading a request's attachments adds to the inspection of its body (src/gateway/attachments.ts), side by side
 * in one run: the same chat body with no attachment, with a text file, a PDF's text layer, an image read by OCR, GIFs of
 * one frame and animated ones (each frame that changes the screen is an OCR run), and the same image again (a conversation resends it on every turn: read once per department). Each attachment but the
 * repeated one is new in every request (its digits differ), so nothing is answered from memory.
 * Wall milliseconds per request (the OCR and parsing run on worker threads), p50 and p90, and the milliseconds the calling
 * thread — the gateway's event loop — was busy with it (p50, performance.eventLoopUtilization).
 * Run: npm run bench:attachments [-- --rounds N]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AttachmentScanner } from '../src/gateway/attachments.ts';
import { inspectBody } from '../src/gateway/inspect.ts';
import { createGuard } from '../src/guard/index.ts';
import { createFileTextReader } from '../src/knowledge/index.ts';
import { encodePng } from '../src/knowledge/ingest/png.ts';
import { animatedGif, digitsBitmap, digitsPage, gifImage, pdf, scannedPdf, wordFile, xml } from '../test/knowledge/fixtures.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
const rounds = Number(values.rounds);
const guard = createGuard();
const reader = createFileTextReader();
const scanner = new AttachmentScanner(reader.read);
const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');
const body = (part?: unknown) => ({
  model: 'm',
  messages: [{ role: 'user', content: [{ type: 'text', text: '请把附件整理成要点，联系人张伟。' }, ...(part ? [part] : [])] }],
});
const file = (name: string, mime: string, bytes: Uint8Array | string) => ({ type: 'file', file: { filename: name, file_data: `data:${mime};base64,${b64(bytes)}` } });
const image = (bytes: Uint8Array) => ({ type: 'image_url', image_url: { url: `data:image/png;base64,${b64(bytes)}` } });
const number = (i: number): string => `138 ${String(1000 + i).padStart(4, '0')} ${String(8000 + i)}`;
const sameImage = encodePng(digitsBitmap(number(0)));

type Picture = ReturnType<typeof digitsBitmap>;
const blankOf = (p: Picture): Picture => ({ ...p, data: new Uint8Array(p.data.length).fill(255) });
const frames = (pictures: Picture[]): Uint8Array => animatedGif(pictures[0].width, pictures[0].height, pictures.map((picture) => ({ picture })));

/** A page: 14 lines of digits, 1,480×1,442 px (what a screenshot of a short document looks like to OCR). */
function page(i: number): Uint8Array {
  return encodePng(digitsPage(Array.from({ length: 14 }, (_, k) => `${number(i + k)} 2026 1129`.slice(0, 24)), 3, 3));
}

const cases: Array<[string, (i: number) => unknown]> = [
  ['no attachment', () => body()],
  ['text file (1 KB)', (i) => body(file('纪要.txt', 'text/plain', `会议纪要，联系电话 ${number(i)}。`.repeat(20)))],
  ['PDF, text layer (1 page)', (i) => body(file('名单.pdf', 'application/pdf', pdf(['Staff list', `Tel ${number(i)}`])))],
  // Read whole: the body, and every other part (footer, comment, deleted revision, properties, styles skipped).
  ['Word file, text and hidden parts', (i) => body(file('纪要.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    wordFile(`会议纪要，联系电话 ${number(i)}。`.repeat(20), { 'word/footer1.xml': xml(`<w:ftr><w:p><w:r><w:t>经办人 ${number(i)}</w:t></w:r></w:p></w:ftr>`) })))],
  ['image by OCR (520×82 px)', (i) => body(image(encodePng(digitsBitmap(number(i)))))],
  ['image by OCR (3,320×124 px)', (i) => body(image(encodePng(digitsBitmap(`${number(i)} ${number(i + 1)} ${number(i + 2)}`, 4, 4))))],
  ['image by OCR (a page, 14 lines)', (i) => body(image(page(i)))],
  ['the same image again', () => body(image(sameImage))],
  ['GIF by OCR (1 frame, 520×82 px)', (i) => body(image(gifImage(digitsBitmap(number(i)))))],
  // Since 2026-12-08 every frame that changes the screen is read (src/knowledge/ingest/gif.ts): one OCR run more per frame.
  ['animated GIF (blank, then digits)', (i) => body(image(frames([blankOf(digitsBitmap(number(i))), digitsBitmap(number(i))])))],
  ['animated GIF (8 frames, each new)', (i) => body(image(frames(Array.from({ length: 8 }, (_, k) => digitsBitmap(number(i + k))))))],
  // Its page picture is decoded and encoded in the parsing worker; before 2026-12-07 on the calling thread.
  ['scanned PDF (1 page, 14 lines)', (i) => body(file('扫描件.pdf', 'application/pdf', scannedPdf(digitsPage(Array.from({ length: 14 }, (_, k) => `${number(i + k)} 2026 1129`.slice(0, 24)), 3, 3))))],
];

async function inspect(b: unknown): Promise<[wall: number, busy: number]> {
  const t0 = performance.now();
  const loop = performance.eventLoopUtilization();
  inspectBody(guard, b);
  await scanner.scan('bench', guard, b);
  return [performance.now() - t0, performance.eventLoopUtilization(loop).active];
}

const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
// Warm up: the parsing worker and the OCR thread start on their first file.
for (const [, make] of cases) await inspect(make(-1));
const times = new Map<string, Array<[number, number]>>(cases.map(([label]) => [label, []]));
for (let r = 0; r < rounds; r++) {
  for (const [label, make] of cases) times.get(label)!.push(await inspect(make(r)));
}
await reader.close();
console.log(`attachments: ms per request inspection, ${rounds} requests each: wall p50 / p90, calling thread busy p50`);
for (const [label, xs] of times) {
  const wall = xs.map(([w]) => w);
  const busy = xs.map(([, b]) => b);
  console.log(`  ${label.padEnd(32)} ${q(wall, 0.5).toFixed(2).padStart(8)} / ${q(wall, 0.9).toFixed(2).padStart(8)}   ${q(busy, 0.5).toFixed(2).padStart(8)}`);
}
