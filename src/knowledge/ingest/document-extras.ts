import { gunzipSync } from 'node:zlib';
import { decodeEntities, decodeHtml } from './html.ts';
import { checkImagePixels, imageSize } from './image-size.ts';
import { DEFAULT_INGEST_LIMITS, IngestLimitError, MIN_PICTURE_PIXELS, type IngestLimits } from './limits.ts';
import { imageText } from './image-text.ts';
import { laterGifFrames } from './gif.ts';
import { laterTiffPages } from './tiff.ts';
import { laterApngFrames } from './apng.ts';
import { readMetafile } from './metafile.ts';
import { oleObjectFile } from './ole.ts';
import { parseDocument } from './index.ts';
import { pagePictures, withPdf, type PdfDocument } from './pdf.ts';
import { readZip } from './zip.ts';

/**
 * What leaves with a document besides the body a knowledge base indexes (the parsers of this folder), for the gateway
 * to guard (file-text.ts) — an external model given the file may read all of it:
 * - text: an Office file's headers and footers, footnotes and endnotes, comments and who wrote them, text deleted
 *   under tracked changes (`w:delText`, still in the file) and who deleted it, the document's properties (author, last
 *   modified by, company); a PDF's annotations — the values of a filled-in form's fields, with the field's name as
 *   their label (姓名：张伟), comments and their authors — and the values of an XFA form (found by pdf-limits.ts);
 * - pictures: a PDF page's images and the media of docx, pptx, xlsx and OFD files (a pasted photo of an ID card, a
 *   screenshot) in any format OCR reads (PNG, JPEG, GIF, BMP, TIFF, WebP), encoded for OCR; logos under
 *   MIN_PICTURE_PIXELS skipped, each picture's size checked before it is read (image-size.ts);
 * - metafiles among the media (EMF, WMF: a chart, a drawing or a range of cells pasted as a picture, the preview of an
 *   embedded object): their text records as text, their bitmaps as pictures (metafile.ts);
 * - files embedded in an Office file (`word/embeddings/Microsoft_Excel_Worksheet.xlsx`: a spreadsheet pasted into a
 *   report as an object, whose cells are in no part of the outer file; `oleObject1.bin`: a file inserted as an object
 *   or an icon, ole.ts) and files attached to a PDF: each one's body and extras. An embedded file of a kind that cannot
 *   be read (a Word 97–2003 document, a Visio drawing) makes the document unread.
 * - an OFD file's attachments (附件, `Doc_0/Attachs/…`), read as the files they are;
 * - the frames of an animated GIF or PNG and the pages of a multi-page TIFF after the first (the file itself or a picture
 *   in a document), as pictures (gif.ts, apng.ts, tiff.ts).
 * A document that holds more than this reads — over MAX_PICTURES pictures, over MAX_EMBEDDED embedded files, a file
 * embedded in an embedded file (IngestLimitError), a part of an Office or OFD package that is neither read nor free of
 * content (a macro project, an ActiveX control's state, a sound or a video, a picture in a format OCR does not read) —
 * is refused as a whole: what is not read must not pass as read.
 * Zip parts are read under the ingest limits (zip.ts), a PDF's streams checked before pdf.js sees them (pdf-limits.ts).
 */
export interface DocumentExtras { text: string; pictures: Uint8Array[] }

/** Pictures read from one document at most (each is an OCR run of about a second): a thousand icons must not hold the reader. */
export const MAX_PICTURES = 32;

const NONE: DocumentExtras = Object.freeze({ text: '', pictures: [] });

/**
 * The parts whose text the body's parser (office.ts) reads, by format; of these only what the parser leaves out is read
 * here (BODY_EXTRAS). Every other XML part of the package is read whole — headers and footers, notes, comments, charts'
 * cached labels and values, SmartArt, text boxes of drawings, slide masters, pivot caches (the rows of a deleted data
 * sheet live on in them), external links' cached cells, custom XML, properties — so that a part no one thought of is
 * read rather than passed: only NOISE is left out.
 */
const BODY: Record<string, RegExp> = {
  docx: /^word\/document\.xml$/,
  xlsx: /^xl\/(?:worksheets\/[^/]+|sharedStrings)\.xml$/,
  pptx: /^ppt\/(?:slides|notesSlides)\/[^/]+\.xml$/,
  ofd: /(?:^|\/)Content\.xml$/,
};
/**
 * What a body part holds besides the text its parser reads: text deleted under tracked changes and field codes
 * (HYPERLINK mailto:…) in Word, and in a worksheet its formulas (="张伟"), the header and footer printed on every page,
 * and the lists of its data validations.
 */
const BODY_EXTRAS = /<w:(?:delText|instrText)(?:\s[^>]*)?>([^<]*)<|<(?:f|oddHeader|oddFooter|evenHeader|evenFooter|firstHeader|firstFooter|formula1|formula2|formula)(?:\s[^>]*)?>([^<]*)</g;
/**
 * Text kept in attributes, in any part: a picture's or shape's alternative text (descr, title: "张伟的身份证照片"), a
 * simple field's code (w:instr="HYPERLINK mailto:…"), a link's tooltip and shown text, the input and error messages of
 * a cell's data validation (prompt="请填写张伟的手机号").
 */
const TEXT_ATTRIBUTE = /\b(?:descr|title|w:instr|w:tooltip|tooltip|display|prompt|promptTitle|error|errorTitle)="([^"]+)"/g;
/** Parts that hold formatting and plumbing, no text of the document. */
const NOISE = /(?:^|\/)(?:styles|stylesWithEffects|fontTable|webSettings|numbering|tableStyles|presProps|viewProps|calcChain|\[Content_Types\])\.xml$|(?:^|\/)theme\/[^/]+\.xml$/;
/**
 * Parts of text: XML, and the HTML, MHT, VML and SVG some writers put in a package (`word/afchunk.mht`, an imported web
 * page; `word/media/image1.svg`, a drawing whose PNG stand-in is read as a picture).
 */
const TEXT_PART = /\.(?:xml|rels|vml|svg|html?|mht|txt|csv)$/i;
/** A pivot cache's items and records keep their values in attributes (<s v="张伟"/>, <n v="13800138000"/>). */
const PIVOT_VALUE = /<[sn]\s[^>]*?\bv="([^"]*)"/g;
/**
 * A workbook's data connections and query tables keep what matters in attributes: the connection string (a database
 * password, a server's address) and the query (SELECT … WHERE 手机='…').
 */
const SETTINGS_IN_ATTRIBUTES = /(?:^|\/)(?:connections|queryTables\/[^/]+)\.xml$/;
const ANY_ATTRIBUTE = /\s[\w:.-]+="([^"]*)"/g;
/** A presentation's list of comment authors (`ppt/commentAuthors.xml`, `ppt/authors.xml`): each by `name`. */
const AUTHORS_PART = /(?:^|\/)(?:commentAuthors|authors)\.xml$/;
const AUTHOR_NAME = /\bname="([^"]*)"/g;
/** Document variables (w:docVar), set by templates and macros. */
const DOC_VAR = /<w:docVar\s[^>]*?\bw:val="([^"]*)"/g;
/** Links out of the package: a mail address, a path on someone's disk (file:///C:/Users/张伟/…). */
const EXTERNAL_TARGET = /<Relationship\s(?=[^>]*TargetMode="External")[^>]*?\bTarget="([^"]*)"/g;
/**
 * Where an Office or OFD file keeps the pictures pasted into it (any `media` folder: a glossary's or a chart's too), and
 * the picture of its first page it is saved with; EMZ and WMZ are metafiles compressed with gzip.
 */
const MEDIA = /^(?:(?:.*\/)?(?:media|Res)\/[^/]+|(?:docProps|Thumbnails)\/thumbnail)\.(?:png|jpe?g|jfif|gif|bmp|tiff?|webp|[ew]m[fz])$/i;
/** An OFD file's attachments (附件: `Doc_0/Attachs/…`, listed in Attachments.xml), read as the files they are. */
const ATTACHED = /(?:^|\/)Attachs\/(?!Attachments\.xml$)[^/]+$/i;
/**
 * Parts that hold nothing of the document's content: fonts, printer settings, an OFD signature's bytes and its
 * electronic seal (the issuing organisation's stamp and certificate, on every e-invoice).
 */
const NO_CONTENT = /\.(?:ttf|otf|ttc|odttf|fntdata|eot|woff2?)$|(?:^|\/)printerSettings\/[^/]+\.bin$|(?:^|\/)(?:SignedValue\.dat|[^/]+\.esl)$/i;
const METAFILE = /\.[ew]m[fz]$/i;
const COMPRESSED_METAFILE = /\.[ew]mz$/i;
/** Files embedded as objects: Office files as they are, any other file or object as an OLE compound file (`.bin`). */
const EMBEDDED = /^(?:word|ppt|xl)\/embeddings\/[^/]+$/i;
const OLE_OBJECT = /\.bin$/i;
/** A macro-enabled Office file (.xlsm) is read as the format it is a variant of. */
const MACRO_VARIANT = /(\.(?:doc|xls|ppt))m$/i;
/** Files embedded in one document read at most (Office objects, a PDF's attached files); they are read one level deep. */
export const MAX_EMBEDDED = 8;
/** Attributes that name a person: comment and revision authors, their initials, the people of a workbook's threads. */
const PERSON_ATTRIBUTE = /\b(?:w:author|w:initials|w15:author|w15:userId|author|initials|displayName|userId)="([^"]*)"/g;

interface Reading { text: string[]; pictures: Uint8Array[]; limits: IngestLimits; depth: number; embedded: number }

/** `pictures: false` when they were read already (a scan's pages, by OCR); `pdf`: the PDF already open, not opened again. */
export async function documentExtras(format: string, bytes: Uint8Array, opts: { pictures?: boolean; limits?: IngestLimits; pdf?: OpenPdf } = {}): Promise<DocumentExtras> {
  const r: Reading = { text: [], pictures: [], limits: opts.limits ?? DEFAULT_INGEST_LIMITS, depth: 1, embedded: 0 };
  await readExtras(format, bytes, opts.pictures !== false, r, opts.pdf);
  return r.text.length === 0 && r.pictures.length === 0 ? NONE : { text: r.text.filter(Boolean).join('\n'), pictures: r.pictures };
}

/** `pictures`: whether to take the document's own pictures (false: OCR read them as its pages). */
/** A PDF already open (withPdf), with the values of its XFA form found while its streams were checked. */
export interface OpenPdf { doc: PdfDocument; xfa: readonly string[] }

async function readExtras(format: string, bytes: Uint8Array, pictures: boolean, r: Reading, pdf?: OpenPdf): Promise<void> {
  // A web page's body is what a reader sees; comments, scripts, hidden fields and attributes leave with it: its source is read whole.
  if (format === 'html') r.text.push(decodeHtml(bytes).text);
  else if (format === 'image') {
    r.text.push(imageText(bytes));
    // Not a document's own pictures, which `pictures` is about: OCR reads only the first frame or page of the file itself.
    addLaterPages(bytes, r);
  }
  else if (format === 'pdf') {
    const read = async (doc: PdfDocument, xfa: readonly string[]): Promise<void> => {
      await pdfExtras(doc, pictures, r);
      r.text.push(...xfa);
    };
    await (pdf ? read(pdf.doc, pdf.xfa) : withPdf(bytes, r.limits, read));
  }
  else if (BODY[format] !== undefined) await officeExtras(format, bytes, pictures, r);
}

/** A picture for OCR: known format and size, not a logo, within the pixel limit and the count. */
function addPicture(data: Uint8Array, r: Reading): void {
  const size = imageSize(data);
  if (size === null || size.width * size.height < MIN_PICTURE_PIXELS) return;
  if (r.pictures.length >= MAX_PICTURES) throw new IngestLimitError(`the document holds more than ${MAX_PICTURES} pictures`);
  checkImagePixels(size, r.limits);
  r.pictures.push(data);
  addLaterPages(data, r);
}

/**
 * The frames of an animated GIF or PNG and the pages of a TIFF after the first, which OCR does not read from the file
 * (gif.ts, apng.ts, tiff.ts: each knows its own format and gives nothing for any other).
 */
const LATER_PAGES = [laterGifFrames, laterApngFrames, laterTiffPages];

function addLaterPages(data: Uint8Array, r: Reading): void {
  for (const later of LATER_PAGES) r.pictures.push(...later(data, r.limits, MAX_PICTURES - r.pictures.length));
}

/** A file inside the document: its body as the knowledge bases parse it, and, one level down, its own extras. */
async function embeddedFile(name: string, bytes: Uint8Array, r: Reading): Promise<void> {
  if (r.depth === 0) throw new IngestLimitError(`${name} is a file embedded in an embedded file`);
  if (++r.embedded > MAX_EMBEDDED) throw new IngestLimitError(`the document holds more than ${MAX_EMBEDDED} embedded files`);
  const doc = await parseDocument(name, bytes, { ocr: null });
  r.text.push(doc.blocks.map((b) => b.text).join('\n'), doc.metadata.title ?? '', doc.metadata.author ?? '');
  if (doc.format === 'image') addPicture(bytes, r);
  r.depth--;
  try {
    await readExtras(doc.format, bytes, true, r);
  } finally {
    r.depth++;
  }
}

interface Annotation { fieldName?: string; fieldValue?: unknown; contentsObj?: { str?: string }; titleObj?: { str?: string } }

async function pdfExtras(pdf: PdfDocument, pictures: boolean, r: Reading): Promise<void> {
  for (let n = 1; n <= Math.min(pdf.numPages, r.limits.maxPdfPages); n++) {
    for (const a of (await (await pdf.getPage(n)).getAnnotations()) as Annotation[]) {
      const values = (Array.isArray(a.fieldValue) ? a.fieldValue : [a.fieldValue]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
      for (const v of values) r.text.push(a.fieldName ? `${a.fieldName}：${v}` : v);
      for (const t of [a.titleObj?.str, a.contentsObj?.str]) if (t?.trim()) r.text.push(t.trim());
    }
    // One more than there is room for, so that a document with too many is told apart from one that just fits.
    if (pictures) for (const p of await pagePictures(pdf, n, r.limits, MAX_PICTURES - r.pictures.length + 1)) addPicture(p, r);
  }
  // Bookmarks, every entry of the document's information (subject, keywords, custom keys) and its XMP metadata.
  const outline: Array<{ title?: string; items?: unknown[] }> = [...((await pdf.getOutline()) ?? [])];
  for (let k = 0; k < outline.length && k < 10_000; k++) {
    if (outline[k].title) r.text.push(outline[k].title!);
    outline.push(...((outline[k].items ?? []) as typeof outline));
  }
  const meta = (await pdf.getMetadata().catch(() => null)) as { info?: Record<string, unknown>; metadata?: { getAll(): Record<string, unknown> } | null } | null;
  const strings = (o: unknown): void => {
    if (typeof o === 'string') r.text.push(o);
    else if (o !== null && typeof o === 'object') for (const v of Object.values(o)) strings(v);
  };
  // Not what pdf.js itself adds (the format's version, the encryption's name).
  strings({ ...meta?.info, PDFFormatVersion: null, EncryptFilterName: null });
  strings(meta?.metadata?.getAll());
  // Files attached to the PDF (a spreadsheet behind a report): read like the document itself.
  const attached = (await pdf.getAttachments()) as Record<string, { filename?: string; content?: Uint8Array }> | null;
  for (const [key, file] of Object.entries(attached ?? {})) {
    if (file.content && file.content.length > 0) await embeddedFile(file.filename || key, file.content, r);
  }
}

async function officeExtras(format: string, bytes: Uint8Array, pictures: boolean, r: Reading): Promise<void> {
  const body = BODY[format];
  // Every part is read, or holds no content, or makes the file unread: a part no one thought of (a macro project, a
  // control's saved state, a sound, a picture in a format OCR does not read) leaves with the file just the same.
  const unread: string[] = [];
  const zip = readZip(bytes, (name) => {
    if (name.endsWith('/')) return false;
    if (MEDIA.test(name)) return pictures;
    if (EMBEDDED.test(name) || ATTACHED.test(name)) return true;
    if (NOISE.test(name) || NO_CONTENT.test(name)) return false;
    if (TEXT_PART.test(name)) return true;
    unread.push(name);
    return false;
  }, r.limits);
  if (unread.length > 0) {
    throw new Error(`the file holds parts that cannot be read: ${unread.slice(0, 3).join(', ')}${unread.length > 3 ? ', …' : ''} / 含无法读取的部分`);
  }
  for (const [name, data] of zip) {
    if (MEDIA.test(name)) {
      if (!METAFILE.test(name)) {
        addPicture(data, r);
        r.text.push(imageText(data));
        continue;
      }
      const drawn = readMetafile(COMPRESSED_METAFILE.test(name) ? inflateMetafile(name, data, r.limits) : data);
      // Text written as glyph numbers, with no EMF+ string saying it as characters: what the drawing shows was not read.
      if (drawn.glyphRuns > 0 && drawn.plusTexts === 0) {
        throw new Error(`${name} draws ${drawn.glyphRuns} line(s) of text as glyph numbers, which cannot be read without its font / 图中文字以字形编号写出，无法读取`);
      }
      r.text.push(drawn.text);
      for (const p of drawn.pictures) addPicture(p, r);
      continue;
    }
    if (EMBEDDED.test(name) || ATTACHED.test(name)) {
      const file = OLE_OBJECT.test(name) ? oleObjectFile(data) : { name: name.replace(MACRO_VARIANT, '$1x'), bytes: data };
      if (file !== null) await embeddedFile(file.name, file.bytes, r);
      continue;
    }
    const xml = /\.mht$/i.test(name) ? mhtText(data) : Buffer.from(data).toString('utf8');
    const attributes = (re: RegExp) => { for (const m of xml.matchAll(re)) if (m[1].trim()) r.text.push(decodeEntities(m[1]).trim()); };
    attributes(PERSON_ATTRIBUTE);
    attributes(TEXT_ATTRIBUTE);
    if (name.endsWith('.rels')) { attributes(EXTERNAL_TARGET); continue; }
    if (body.test(name)) {
      // The rest of the body is its parser's.
      for (const m of xml.matchAll(BODY_EXTRAS)) {
        const v = m[1] ?? m[2];
        if (v?.trim()) r.text.push(decodeEntities(v).trim());
      }
      continue;
    }
    if (name.includes('pivotCache')) attributes(PIVOT_VALUE);
    if (SETTINGS_IN_ATTRIBUTES.test(name)) attributes(ANY_ATTRIBUTE);
    if (AUTHORS_PART.test(name)) attributes(AUTHOR_NAME);
    if (name === 'word/settings.xml') attributes(DOC_VAR);
    attributes(TEXT_NODE);
  }
}

const TEXT_NODE = />([^<]+)</g;

/** An EMZ or WMZ drawing, inflated within the limit of one zip entry (a few bytes of gzip can declare gigabytes). */
function inflateMetafile(name: string, data: Uint8Array, limits: IngestLimits): Uint8Array {
  try {
    return gunzipSync(data, { maxOutputLength: limits.maxEntryBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new IngestLimitError(`${name} inflates to more than ${limits.maxEntryBytes} bytes`);
    throw err;
  }
}

/**
 * The text of a MIME web archive (MHT: what Word imports as `afchunk.mht`, what OA systems export as a "Word" file): its
 * parts, each decoded from quoted-printable or base64 by its own header, as one string for TEXT_NODE to read.
 */
function mhtText(data: Uint8Array): string {
  const raw = Buffer.from(data).toString('latin1');
  const out: string[] = [];
  for (const part of raw.split(/\r?\n--[^\r\n]*\r?\n/)) {
    const split = /\r?\n\r?\n/.exec(part);
    if (split === null) continue;
    const header = part.slice(0, split.index);
    const body = part.slice(split.index + split[0].length);
    if (!/content-type:\s*text\//i.test(header) && !/^\s*<|^\s*$/.test(body.slice(0, 100))) continue;
    const charset = /charset="?([\w-]+)/i.exec(header)?.[1] ?? 'utf-8';
    let bytes: Buffer;
    if (/content-transfer-encoding:\s*base64/i.test(header)) bytes = Buffer.from(body, 'base64');
    else if (/content-transfer-encoding:\s*quoted-printable/i.test(header)) {
      bytes = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    } else bytes = Buffer.from(body, 'latin1');
    try {
      out.push(new TextDecoder(charset.toLowerCase()).decode(bytes));
    } catch {
      out.push(bytes.toString('utf8'));
    }
  }
  // A tag around each part, so that TEXT_NODE reads the first and last text of each.
  return `<mht>${out.join('</part><part>')}</mht>`;
}
