import { extname } from 'node:path';
import type { ParsedDocument } from '../types.ts';
import { detectFormat } from './format.ts';
import { parseCsv } from './csv.ts';
import { parseHtml } from './html.ts';
import { parseDocx, parseOfd, parsePptx, parseXlsx } from './office.ts';
import { parsePdf } from './pdf.ts';
import { parseMarkdown, parseTxt } from './text.ts';
import { checkImagePixels, imageSize } from './image-size.ts';
import { DEFAULT_INGEST_LIMITS } from './limits.ts';

export { detectFormat, SUPPORTED_EXTENSIONS } from './format.ts';

/** An optional OCR step for images and scanned PDFs (see ocr.ts); absent = report `no_text_layer`. */
export type OcrFunction = (image: Uint8Array) => Promise<string>;

/**
 * Parses one document. Throws for a file that is not what its name says or cannot be read;
 * returns status `no_text_layer` for scans and images when no OCR is available.
 */
export async function parseDocument(name: string, bytes: Uint8Array, opts: { ocr?: OcrFunction | null } = {}): Promise<ParsedDocument> {
  const format = detectFormat(name, bytes);
  switch (format) {
    case 'txt': return parseTxt(bytes);
    case 'md': return parseMarkdown(bytes);
    case 'html': return parseHtml(bytes);
    case 'csv': return parseCsv(bytes, extname(name).toLowerCase() === '.tsv');
    case 'docx': return parseDocx(bytes);
    case 'xlsx': return parseXlsx(bytes);
    case 'pptx': return parsePptx(bytes);
    case 'ofd': return parseOfd(bytes);
    case 'pdf': return parsePdf(bytes, opts.ocr);
    case 'image': {
      if (!opts.ocr) return { format: 'image', blocks: [], status: 'no_text_layer', metadata: {}, note: 'an image has no text layer and OCR is not enabled / 图片无文本层，未启用 OCR' };
      checkImagePixels(imageSize(bytes), DEFAULT_INGEST_LIMITS);
      const text = await opts.ocr(bytes);
      return text.trim()
        ? { format: 'image', blocks: [{ kind: 'text', text: text.trim(), page: 1 }], status: 'ready', pages: 1, metadata: { ocr: 'tesseract chi_sim' } }
        : { format: 'image', blocks: [], status: 'no_text_layer', metadata: {}, note: 'OCR found no text / OCR 未识别出文字' };
    }
    default: throw new Error(`unsupported file type: ${name}`);
  }
}
