import './pdf-runtime.ts';
import { extractImages, extractText, getDocumentProxy, getMeta } from 'unpdf';
import type { Block, ParsedDocument } from '../types.ts';
import type { OcrFunction } from './index.ts';
import { checkImagePixels } from './image-size.ts';
import { encodePng } from './png.ts';
import { DEFAULT_INGEST_LIMITS, IngestLimitError, type IngestLimits, MIN_PICTURE_PIXELS } from './limits.ts';
import { checkPdfStreams } from './pdf-limits.ts';
import { paragraphs } from './text.ts';

/**
 * PDF text layer, page by page (unpdf: a serverless build of pdf.js, pure JS). A PDF whose pages carry
 * no text (a scan) comes back with status `no_text_layer` — unless `ocr` is given: then the images of each
 * page (a scan is one image per page) are extracted and read by OCR.
 */
export function parsePdf(bytes: Uint8Array, ocr?: OcrFunction | null, limits: IngestLimits = DEFAULT_INGEST_LIMITS): Promise<ParsedDocument> {
  return withPdf(bytes, limits, (pdf) => readPdf(pdf, ocr, limits));
}

/**
 * Runs `read` on the PDF, its streams checked before pdf.js sees them, and releases it after; `xfa`: the values of an
 * XFA form, found while checking the streams (pdf-limits.ts).
 */
export async function withPdf<T>(bytes: Uint8Array, limits: IngestLimits, read: (pdf: PdfDocument, xfa: readonly string[]) => Promise<T>): Promise<T> {
  const xfa = checkPdfStreams(bytes, limits);
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 } as never);
  try {
    return await read(pdf, xfa);
  } finally {
    await pdf.destroy();
  }
}

/** parsePdf on a PDF already open (the parsing worker reads its extras from the same one: document-extras.ts). */
export async function readPdf(pdf: PdfDocument, ocr?: OcrFunction | null, limits: IngestLimits = DEFAULT_INGEST_LIMITS): Promise<ParsedDocument> {
  if (pdf.numPages > limits.maxPdfPages) throw new IngestLimitError(`the PDF has ${pdf.numPages} pages (at most ${limits.maxPdfPages})`);
  const { totalPages, text } = await extractText(pdf, { mergePages: false });
  const blocks: Block[] = [];
  const garbledPages: number[] = [];
  text.forEach((pageText, i) => {
    if (isGarbled(pageText)) {
      garbledPages.push(i + 1);
      pageText = pageText.replace(UNDECODED, '');
    }
    // pdf.js puts line breaks between text lines; join lines that end mid-sentence in Chinese.
    const cleaned = pageText.replace(/([\u4e00-\u9fff，、])\n(?=[\u4e00-\u9fff])/g, '$1');
    blocks.push(...paragraphs(cleaned, i + 1));
  });
  const metadata: Record<string, string> = {};
  if (garbledPages.length > 0) {
    metadata.unreadable = `the text layer of page ${garbledPages.slice(0, 10).join(', ')} maps its glyphs to no characters (a font without a Unicode map) / 文字层无法解码`;
  }
  try {
    const meta = await getMeta(pdf);
    const info = meta.info as Record<string, unknown>;
    if (typeof info?.Title === 'string' && info.Title.trim()) metadata.title = info.Title.trim();
    if (typeof info?.Author === 'string' && info.Author.trim()) metadata.author = info.Author.trim();
  } catch { /* metadata is optional */ }
  const chars = blocks.reduce((n, b) => n + b.text.replace(/\s/g, '').length, 0);
  if (chars > 0) return { format: 'pdf', blocks, status: 'ready', pages: totalPages, metadata };
  const scan: ParsedDocument = { format: 'pdf', blocks: [], status: 'no_text_layer', pages: totalPages, metadata, note: 'the PDF has no text layer (a scan?) / PDF 无文本层（可能是扫描件）' };
  return ocr ? readScan(scan, (page) => pagePictures(pdf, page, limits), ocr) : scan;
}

/**
 * A PDF without a text layer (`scan`, as readPdf gives it) read by OCR: the images of each page in turn, from
 * `picturesOf` (pagePictures here; the parsing worker's, over its messages, for the gateway and the knowledge bases).
 */
export async function readScan(scan: ParsedDocument, picturesOf: (page: number) => Promise<Uint8Array[]>, ocr: OcrFunction): Promise<ParsedDocument> {
  const blocks: Block[] = [];
  let pictures = 0;
  for (let page = 1; page <= (scan.pages ?? 0); page++) {
    for (const picture of await picturesOf(page)) {
      pictures++;
      const text = (await ocr(picture)).trim();
      if (text) blocks.push(...paragraphs(text, page));
    }
  }
  const metadata = { ...scan.metadata };
  // Nothing to read at all: the pages are drawn with shapes (text turned into outlines), which a model shown them reads.
  if (pictures === 0) metadata.unreadable ??= 'no text layer and no pictures: its text may be drawn as shapes / 无文字层也无图片（文字可能转成了曲线）';
  if (blocks.length) return { format: 'pdf', blocks, status: 'ready', pages: scan.pages, metadata: { ...metadata, ocr: 'tesseract chi_sim' } };
  return { ...scan, metadata, note: 'the PDF has no text layer and OCR found no text / PDF 无文本层，OCR 未识别出文字' };
}


export type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** The images of one page worth reading (at most `max`), each size checked, encoded as PNG for OCR. */
export async function pagePictures(pdf: PdfDocument, page: number, limits: IngestLimits, max = Infinity): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const img of await extractImages(pdf, page)) {
    if (out.length >= max) break;
    if (img.width * img.height < MIN_PICTURE_PIXELS) continue;
    checkImagePixels(img, limits);
    out.push(encodePng(img));
  }
  return out;
}

/**
 * Code points a text layer yields when its font maps glyphs to no character (a Type 3 font with made-up glyph names, a
 * subset font without a ToUnicode map): C0 and C1 controls, private use, U+FFFD. Read as text, such a page says
 * nothing, while a model shown the page reads it.
 */
const UNDECODED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ue000-\uf8ff\ufffd]/g;
/** Share of a page's characters that makes its text layer garbled; a rare character in private use now and then does not. */
const GARBLED_SHARE = 0.3;

function isGarbled(text: string): boolean {
  const bad = text.match(UNDECODED)?.length ?? 0;
  return bad >= 4 && bad >= GARBLED_SHARE * text.replace(/\s/g, '').length;
}
