import './pdf-runtime.ts';
import { getDocumentProxy } from 'unpdf';
import { decodeEntities } from './html.ts';
import { checkPdfStreams } from './pdf-limits.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.ts';
import { readZip } from './zip.ts';

/** The parts of an Office file that its body's parser (office.ts) does not read, by format. */
const PARTS: Record<string, RegExp> = {
  docx: /^word\/(?:(?:header|footer)\d*|footnotes|endnotes|comments\w*|people)\.xml$/,
  xlsx: /^xl\/(?:comments\d*|threadedComments\/[^/]+|persons\/[^/]+)\.xml$/,
  pptx: /^ppt\/(?:comments\/[^/]+|commentAuthors)\.xml$/,
};
const PROPERTIES = /^docProps\/(?:core|app|custom)\.xml$/;
/** Attributes that name a person: comment and revision authors, their initials, the people of a workbook's threads. */
const PERSON_ATTRIBUTE = /\b(?:w:author|w:initials|w15:author|w15:userId|author|initials|displayName|userId)="([^"]*)"/g;

/**
 * What leaves with a document besides the body a knowledge base indexes: for Office files see officeHiddenText; for a
 * PDF, its annotations — the values of a filled-in form's fields (姓名、身份证号 on an application form), comments and
 * their authors — which pdf.js's text layer does not include. '' for other formats.
 */
export async function hiddenText(format: string, bytes: Uint8Array, limits: IngestLimits = DEFAULT_INGEST_LIMITS): Promise<string> {
  return format === 'pdf' ? pdfAnnotationText(bytes, limits) : officeHiddenText(format, bytes, limits);
}

interface Annotation { fieldName?: string; fieldValue?: unknown; contentsObj?: { str?: string }; titleObj?: { str?: string } }

async function pdfAnnotationText(bytes: Uint8Array, limits: IngestLimits): Promise<string> {
  checkPdfStreams(bytes, limits);
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 } as never);
  const out: string[] = [];
  try {
    for (let n = 1; n <= Math.min(pdf.numPages, limits.maxPdfPages); n++) {
      for (const a of (await (await pdf.getPage(n)).getAnnotations()) as Annotation[]) {
        const values = (Array.isArray(a.fieldValue) ? a.fieldValue : [a.fieldValue]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
        // The field's name is the value's label (姓名：张伟), which the detectors read as such.
        for (const v of values) out.push(a.fieldName ? `${a.fieldName}：${v}` : v);
        for (const t of [a.titleObj?.str, a.contentsObj?.str]) if (t?.trim()) out.push(t.trim());
      }
    }
  } finally {
    await pdf.destroy();
  }
  return out.join('\n');
}

/**
 * What an Office file carries besides the body a knowledge base indexes: headers and footers, footnotes and endnotes,
 * comments and who wrote them, text deleted under tracked changes (still in the file: `w:delText`) and who changed it,
 * and the document's properties (author, last modified by, company, title, keywords). An external model given the file
 * may read all of it, so the gateway guards it too (file-text.ts); the knowledge bases do not index it. Only XML parts
 * are inflated, under the ingest limits (zip.ts).
 */
function officeHiddenText(format: string, bytes: Uint8Array, limits: IngestLimits): string {
  const parts = PARTS[format];
  if (parts === undefined) return '';
  const body = format === 'docx' ? 'word/document.xml' : null;
  const zip = readZip(bytes, (name) => parts.test(name) || PROPERTIES.test(name) || name === body, limits);
  const out: string[] = [];
  for (const [name, data] of zip) {
    const xml = Buffer.from(data).toString('utf8');
    for (const m of xml.matchAll(PERSON_ATTRIBUTE)) if (m[1].trim()) out.push(decodeEntities(m[1]).trim());
    if (name === body) {
      // The body's own text is read by its parser; what it leaves out is the deleted text.
      for (const m of xml.matchAll(/<w:delText(?:\s[^>]*)?>([^<]*)<\/w:delText>/g)) out.push(decodeEntities(m[1]));
      continue;
    }
    for (const m of xml.matchAll(/>([^<]+)</g)) if (m[1].trim()) out.push(decodeEntities(m[1]).trim());
  }
  return out.join('\n');
}
