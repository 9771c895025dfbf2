import { detectFormat, IMAGE_MAGIC } from './format.ts';
import { imageSize } from './image-size.ts';
import { MIN_PICTURE_PIXELS } from './limits.ts';

/**
 * Files pasted into text as base64: a mail's attachment in a pasted or attached `.eml` (MIME lines of 76 characters),
 * a `data:` URL in a message, a PDF or a photo a script printed into a log or a JSON string. The text guard reads
 * base64 that decodes to text (guard/blobs.ts); a file's bytes are no text, and left unread before 2026-12-08 — the
 * model's provider received them all the same. Each run of base64 (RUN) of at least MIN_FILE_CHARS characters whose
 * bytes begin as a file does (FILE_SIGNATURES, or a format the ingest reads: PDF, an Office or OFD package, an image) is
 * such a file.
 * gzip and zlib streams are not: the guard inflates them and reads their text.
 */
export interface EmbeddedFile {
  /** A name whose extension says the format ('.bin' for an archive or an old Office file the ingest does not read). */
  name: string;
  bytes: Uint8Array;
}

const MIN_FILE_CHARS = 64;
/**
 * Lines of 40 or more characters of standard base64, each followed by another (a mail body: a boundary line, `--b--`,
 * is not base64 and ends it); or base64 on one line, standard or URL-safe.
 */
const RUN = /(?:[A-Za-z0-9+/]{40,}\r?\n)+[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9+/_-]+={0,2}/g;
/** Files the ingest does not read, known by their first bytes: a Word 97–2003 / Excel / Outlook compound file, RAR, 7-Zip, a zip of anything else. */
const FILE_SIGNATURES = [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], [0x50, 0x4b, 0x03, 0x04]];
const EXTENSION: Record<string, string> = { pdf: '.pdf', docx: '.docx', xlsx: '.xlsx', pptx: '.pptx', ofd: '.ofd', image: '.png' };

export function filesInText(text: string): EmbeddedFile[] {
  if (text.length < MIN_FILE_CHARS) return [];
  const out: EmbeddedFile[] = [];
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m !== null; m = RUN.exec(text)) {
    if (m[0].length < MIN_FILE_CHARS) continue;
    // The first 48 bytes say whether it may be a file at all; only then is the whole run decoded.
    const head = Buffer.from(m[0].slice(0, 64).replace(/\s+/g, ''), 'base64');
    const signature = FILE_SIGNATURES.some((sig) => sig.every((b, i) => head[i] === b));
    const latin1 = head.toString('latin1');
    if (!signature && !latin1.startsWith('%PDF-') && !IMAGE_MAGIC.test(latin1)) continue;
    const bytes = new Uint8Array(Buffer.from(m[0].replace(/\s+/g, ''), 'base64'));
    const format = detectFormat('', bytes);
    // An icon inlined in a pasted page or stylesheet (data:image/png…) holds nothing to read, as in a document's media.
    if (format === 'image' && isIcon(bytes)) continue;
    const extension = format !== null ? EXTENSION[format] : undefined;
    if (extension !== undefined) out.push({ name: `embedded${extension}`, bytes });
    else if (signature) out.push({ name: 'embedded.bin', bytes });
  }
  return out;
}

function isIcon(bytes: Uint8Array): boolean {
  const size = imageSize(bytes);
  return size !== null && size.width * size.height < MIN_PICTURE_PIXELS;
}
