import { extname } from 'node:path';
import type { DocumentFormat } from '../types.ts';
import { imageSize } from './image-size.ts';

/**
 * What format a file is, from its name or its first bytes: light enough for `yumen scan` to ask before it loads the
 * parsers (index.ts), which read the formats named here.
 */
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
export const IMAGE_MAGIC = /^(?:\x89PNG|\xff\xd8\xff|GIF8[79]a|BM[\s\S]{4}\x00{4}[\s\S]{4}[\x0c\x28\x34\x38\x6c\x7c]\x00{3}|II\*\x00|MM\x00\*|RIFF[\s\S]{4}WEBP)/;

/** How much of a zip's end is searched for its parts' names (its central directory). */
const ZIP_DIRECTORY_TAIL = 64 * 1024;

/** The format from the file name, else from the first bytes (PDF, zip-based office/OFD, an image, HTML), else text. */
export function detectFormat(name: string, bytes: Uint8Array): DocumentFormat | null {
  const byExt = BY_EXTENSION[extname(name).toLowerCase()];
  if (byExt) return byExt;
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512));
  if (head.startsWith('%PDF-')) return 'pdf';
  if (IMAGE_MAGIC.test(head) && imageSize(bytes) !== null) return 'image';
  if (head.startsWith('PK\x03\x04')) {
    // The parts' names: the first one's in the head, all of them in the central directory at the end.
    const names = head + new TextDecoder('latin1').decode(bytes.subarray(Math.max(512, bytes.length - ZIP_DIRECTORY_TAIL)));
    if (names.includes('word/')) return 'docx';
    if (names.includes('xl/')) return 'xlsx';
    if (names.includes('ppt/')) return 'pptx';
    if (names.includes('OFD.xml')) return 'ofd';
    return null;
  }
  if (/^\s*<(!doctype html|html|head|body)/i.test(head)) return 'html';
  if (bytes.subarray(0, 4096).includes(0)) return null; // binary of an unknown kind
  return 'txt';
}
