import './pdf-runtime.ts';
import { getDocumentProxy } from 'unpdf';
import { decodeEntities } from './html.ts';
import { checkImagePixels, imageSize } from './image-size.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.ts';
import { MIN_PICTURE_PIXELS, pagePictures } from './pdf.ts';
import { checkPdfStreams } from './pdf-limits.ts';
import { readZip } from './zip.ts';

/**
 * What leaves with a document besides the body a knowledge base indexes (the parsers of this folder), for the gateway
 * to guard (file-text.ts) — an external model given the file may read all of it:
 * - text: an Office file's headers and footers, footnotes and endnotes, comments and who wrote them, text deleted
 *   under tracked changes (`w:delText`, still in the file) and who deleted it, the document's properties (author, last
 *   modified by, company); a PDF's annotations — the values of a filled-in form's fields, with the field's name as
 *   their label (姓名：张伟), comments and their authors;
 * - pictures: a PDF page's images and the media of docx, pptx, xlsx and OFD files (a pasted photo of an ID card, a
 *   screenshot), encoded for OCR; at most MAX_PICTURES, logos under MIN_PICTURE_PIXELS skipped, each picture's size
 *   checked before it is read (image-size.ts).
 * Zip parts are read under the ingest limits (zip.ts), a PDF's streams checked before pdf.js sees them (pdf-limits.ts).
 */
export interface DocumentExtras { text: string; pictures: Uint8Array[] }

/** Pictures read from one document at most: a report with a thousand icons must not hold the reader. */
export const MAX_PICTURES = 32;

const NONE: DocumentExtras = Object.freeze({ text: '', pictures: [] });

/** The parts of an Office file that its body's parser (office.ts) does not read, by format. */
const PARTS: Record<string, RegExp> = {
  docx: /^word\/(?:(?:header|footer)\d*|footnotes|endnotes|comments\w*|people)\.xml$/,
  xlsx: /^xl\/(?:comments\d*|threadedComments\/[^/]+|persons\/[^/]+)\.xml$/,
  pptx: /^ppt\/(?:comments\/[^/]+|commentAuthors)\.xml$/,
  // OFD: its pictures only (its text, properties included, is what its parser reads).
  ofd: /^$/,
};
const PROPERTIES = /^docProps\/(?:core|app|custom)\.xml$/;
/** Where an Office or OFD file keeps the pictures pasted into it. */
const MEDIA = /^(?:word|ppt|xl)\/media\/[^/]+\.(?:png|jpe?g)$|(?:^|\/)Res\/[^/]+\.(?:png|jpe?g)$/i;
/** Attributes that name a person: comment and revision authors, their initials, the people of a workbook's threads. */
const PERSON_ATTRIBUTE = /\b(?:w:author|w:initials|w15:author|w15:userId|author|initials|displayName|userId)="([^"]*)"/g;

/** `pictures: false` when they were read already (a scan's pages, by OCR). */
export async function documentExtras(format: string, bytes: Uint8Array, opts: { pictures?: boolean; limits?: IngestLimits } = {}): Promise<DocumentExtras> {
  const limits = opts.limits ?? DEFAULT_INGEST_LIMITS;
  const pictures = opts.pictures === false ? 0 : MAX_PICTURES;
  if (format === 'pdf') return pdfExtras(bytes, pictures, limits);
  return PARTS[format] === undefined ? NONE : officeExtras(format, bytes, pictures, limits);
}

interface Annotation { fieldName?: string; fieldValue?: unknown; contentsObj?: { str?: string }; titleObj?: { str?: string } }

async function pdfExtras(bytes: Uint8Array, max: number, limits: IngestLimits): Promise<DocumentExtras> {
  checkPdfStreams(bytes, limits);
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 } as never);
  const text: string[] = [];
  const pictures: Uint8Array[] = [];
  try {
    for (let n = 1; n <= Math.min(pdf.numPages, limits.maxPdfPages); n++) {
      for (const a of (await (await pdf.getPage(n)).getAnnotations()) as Annotation[]) {
        const values = (Array.isArray(a.fieldValue) ? a.fieldValue : [a.fieldValue]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
        for (const v of values) text.push(a.fieldName ? `${a.fieldName}：${v}` : v);
        for (const t of [a.titleObj?.str, a.contentsObj?.str]) if (t?.trim()) text.push(t.trim());
      }
      if (pictures.length < max) pictures.push(...await pagePictures(pdf, n, limits, max - pictures.length));
    }
  } finally {
    await pdf.destroy();
  }
  return { text: text.join('\n'), pictures };
}

function officeExtras(format: string, bytes: Uint8Array, max: number, limits: IngestLimits): DocumentExtras {
  const parts = PARTS[format];
  const body = format === 'docx' ? 'word/document.xml' : null;
  const zip = readZip(bytes, (name) => parts.test(name) || PROPERTIES.test(name) || name === body || (max > 0 && MEDIA.test(name)), limits);
  const text: string[] = [];
  const pictures: Uint8Array[] = [];
  for (const [name, data] of zip) {
    if (MEDIA.test(name)) {
      const size = imageSize(data);
      if (size === null || size.width * size.height < MIN_PICTURE_PIXELS || pictures.length >= max) continue;
      checkImagePixels(size, limits);
      pictures.push(data);
      continue;
    }
    const xml = Buffer.from(data).toString('utf8');
    for (const m of xml.matchAll(PERSON_ATTRIBUTE)) if (m[1].trim()) text.push(decodeEntities(m[1]).trim());
    if (name === body) {
      // The body's own text is read by its parser; what it leaves out is the deleted text.
      for (const m of xml.matchAll(/<w:delText(?:\s[^>]*)?>([^<]*)<\/w:delText>/g)) text.push(decodeEntities(m[1]));
      continue;
    }
    for (const m of xml.matchAll(/>([^<]+)</g)) if (m[1].trim()) text.push(decodeEntities(m[1]).trim());
  }
  return { text: text.join('\n'), pictures };
}
