import { extname } from 'node:path';
import type { DocumentFormat, ParsedDocument } from '../types.ts';
import { parseCsv } from './csv.ts';
import { parseHtml } from './html.ts';
import { parseDocx, parseOfd, parsePptx, parseXlsx } from './office.ts';
import { parsePdf } from './pdf.ts';
import { parseMarkdown, parseTxt } from './text.ts';
import { checkImagePixels, imageSize } from './image-size.ts';
import { DEFAULT_INGEST_LIMITS } from './limits.ts';

const BY_EXTENSION: Record<string, DocumentFormat> = {
  '.pdf': 'pdf', '.docx': 'docx', '.xlsx': 'xlsx', '.csv': 'csv', '.tsv': 'csv', '.pptx': 'pptx',
  '.html': 'html', '.htm': 'html', '.xhtml': 'html', '.md': 'md', '.markdown': 'md', '.txt': 'txt', '.text': 'txt', '.log': 'txt',
  '.ofd': 'ofd', '.png': 'image', '.jpg': 'image', '.jpeg': 'image', '.tif': 'image', '.tiff': 'image', '.bmp': 'image', '.webp': 'image', '.gif': 'image',
};

export const SUPPORTED_EXTENSIONS: readonly string[] = Object.keys(BY_EXTENSION);

/**
 * The first bytes of the image formats OCR reads: PNG, JPEG, GIF, BMP (its reserved zeros and a known header size too:
 * a text may start with "BM"), TIFF (either byte order), WebP.
 */
const IMAGE_MAGIC = /^(?:\x89PNG|\xff\xd8\xff|GIF8[79]a|BM[\s\S]{4}\x00{4}[\s\S]{4}[\x0c\x28\x34\x38\x6c\x7c]\x00{3}|II\*\x00|MM\x00\*|RIFF[\s\S]{4}WEBP)/;

/** The format from the file name, else from the first bytes (PDF, zip-based office/OFD, an image, HTML), else text. */
export function detectFormat(name: string, bytes: Uint8Array): DocumentFormat | null {
  const byExt = BY_EXTENSION[extname(name).toLowerCase()];
  if (byExt) return byExt;
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512));
  if (head.startsWith('%PDF-')) return 'pdf';
  if (IMAGE_MAGIC.test(head) && imageSize(bytes) !== null) return 'image';
  if (head.startsWith('PK\x03\x04')) {
    if (head.includes('word/')) return 'docx';
    if (head.includes('xl/')) return 'xlsx';
    if (head.includes('ppt/')) return 'pptx';
    if (head.includes('OFD.xml')) return 'ofd';
    return null;
  }
  if (/^\s*<(!doctype html|html|head|body)/i.test(head)) return 'html';
  if (bytes.subarray(0, 4096).includes(0)) return null; // binary of an unknown kind
  return 'txt';
}

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
