import { decodeEntities } from './html.ts';
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
 * What an Office file carries besides the body a knowledge base indexes: headers and footers, footnotes and endnotes,
 * comments and who wrote them, text deleted under tracked changes (still in the file: `w:delText`) and who changed it,
 * and the document's properties (author, last modified by, company, title, keywords). An external model given the file
 * may read all of it, so the gateway guards it too (file-text.ts); the knowledge bases do not index it. '' for other
 * formats. Only XML parts are inflated, under the ingest limits (zip.ts).
 */
export function hiddenText(format: string, bytes: Uint8Array, limits: IngestLimits = DEFAULT_INGEST_LIMITS): string {
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
