import { strFromU8 } from 'fflate';
import type { Block, ParsedDocument } from '../types.ts';
import { decodeEntities } from './html.ts';
import { rowText } from './text.ts';
import type { IngestLimits } from './limits.ts';
import { readZip } from './zip.ts';

type Unzipped = Record<string, Uint8Array>;

/**
 * Office Open XML (DOCX, XLSX, PPTX) and OFD are zip archives of XML, read with small, tolerant scanners.
 * Only the XML parts are inflated (never media), each under the ingest limits: a zip bomb fails here.
 */
export function unzip(bytes: Uint8Array, limits?: IngestLimits): Unzipped {
  return Object.fromEntries(readZip(bytes, (name) => /\.(xml|rels)$/i.test(name), limits));
}

const xmlText = (s: string) => decodeEntities(s.replace(/<[^>]*>/g, ''));
const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
function file(zip: Unzipped, path: string): string | undefined {
  const f = zip[path] ?? zip[path.replace(/^\//, '')];
  return f ? strFromU8(f) : undefined;
}

function coreMetadata(zip: Unzipped): Record<string, string> {
  const core = file(zip, 'docProps/core.xml');
  const out: Record<string, string> = {};
  if (!core) return out;
  const title = /<dc:title>([\s\S]*?)<\/dc:title>/.exec(core);
  const creator = /<dc:creator>([\s\S]*?)<\/dc:creator>/.exec(core);
  if (title?.[1].trim()) out.title = xmlText(title[1]).trim();
  if (creator?.[1].trim()) out.author = xmlText(creator[1]).trim();
  return out;
}

/** Text of one w:p: runs, tabs and line breaks. */
function docxParagraph(p: string): string {
  let out = '';
  for (const m of p.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:tab\/>|<w:br\b[^>]*\/>|<w:cr\/>/g)) {
    if (m[1] !== undefined) out += decodeEntities(m[1]);
    else out += m[0].startsWith('<w:tab') ? '\t' : '\n';
  }
  return out;
}

function docxHeadingLevel(p: string): number | null {
  const style = /<w:pStyle w:val="([^"]*)"/.exec(p)?.[1];
  const outline = /<w:outlineLvl w:val="(\d)"/.exec(p)?.[1];
  if (outline !== undefined) return Number(outline) + 1;
  if (!style) return null;
  const m = /^(?:heading|标题)\s*(\d)$/i.exec(style) ?? /^(\d)$/.exec(style);
  if (m) return Math.min(Number(m[1]), 6);
  return /^(title|subtitle)$/i.test(style) ? 1 : null;
}

/** DOCX: paragraphs, headings (Heading n / 标题 n / outline level), table rows; pages from Word's rendered page breaks. */
export function parseDocx(bytes: Uint8Array): ParsedDocument {
  const zip = unzip(bytes);
  const xml = file(zip, 'word/document.xml');
  if (!xml) throw new Error('not a DOCX file: word/document.xml is missing');
  const blocks: Block[] = [];
  let page = 1;
  let sawBreak = false;
  for (const m of xml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>|<w:p[ >][\s\S]*?<\/w:p>|<w:p\/>/g)) {
    const el = m[0];
    const breaks = (el.match(/<w:lastRenderedPageBreak\/>|<w:br w:type="page"\/>/g) ?? []).length;
    if (el.startsWith('<w:tbl')) {
      let header: string[] | null = null;
      for (const tr of el.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)) {
        const cells = [...tr[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => [...c[0].matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) => docxParagraph(p[0])).join(' ').trim());
        if (!header) { header = cells; continue; }
        const row = rowText(header, cells);
        if (row) blocks.push({ kind: 'row', text: row, page });
      }
      if (header && blocks.at(-1)?.kind !== 'row') blocks.push({ kind: 'row', text: rowText(null, header), page });
    } else {
      const text = docxParagraph(el).trim();
      if (breaks && !text) { page += breaks; sawBreak = true; continue; }
      if (breaks) { page += breaks; sawBreak = true; }
      if (!text) continue;
      const level = docxHeadingLevel(el);
      blocks.push(level ? { kind: 'heading', text, level, page } : { kind: 'text', text, page });
    }
  }
  if (!sawBreak) for (const b of blocks) delete b.page;
  return { format: 'docx', blocks, status: 'ready', metadata: coreMetadata(zip), ...(sawBreak ? { pages: page } : {}) };
}

function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/** XLSX: each sheet a heading, its first non-empty row the header, every other row a row block; page = sheet number. */
export function parseXlsx(bytes: Uint8Array): ParsedDocument {
  const zip = unzip(bytes);
  const workbook = file(zip, 'xl/workbook.xml');
  if (!workbook) throw new Error('not an XLSX file: xl/workbook.xml is missing');
  const rels = file(zip, 'xl/_rels/workbook.xml.rels') ?? '';
  const targets = new Map<string, string>();
  for (const r of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(r[0], 'Id');
    const target = attr(r[0], 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const shared: string[] = [];
  for (const si of (file(zip, 'xl/sharedStrings.xml') ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)) {
    shared.push([...si[1].matchAll(/<t(?:\s[^>]*)?>([^<]*)<\/t>/g)].map((t) => decodeEntities(t[1])).join(''));
  }
  const blocks: Block[] = [];
  const names: string[] = [];
  let sheetNo = 0;
  for (const s of workbook.matchAll(/<sheet\b[^>]*>/g)) {
    sheetNo++;
    const name = decodeEntities(attr(s[0], 'name') ?? `Sheet${sheetNo}`);
    const rid = attr(s[0], 'r:id');
    const xml = file(zip, (rid && targets.get(rid)) ?? `xl/worksheets/sheet${sheetNo}.xml`);
    if (!xml) continue;
    names.push(name);
    blocks.push({ kind: 'heading', text: name, level: 1, page: sheetNo });
    let header: string[] | null = null;
    for (const row of xml.matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)) {
      const cells: string[] = [];
      for (const c of row[1].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const ref = attr(c[1], 'r');
        const type = attr(c[1], 't');
        const inner = c[2] ?? '';
        const v = /<v>([^<]*)<\/v>/.exec(inner)?.[1];
        let value = '';
        if (type === 's' && v !== undefined) value = shared[Number(v)] ?? '';
        else if (type === 'inlineStr') value = xmlText(/<is>([\s\S]*?)<\/is>/.exec(inner)?.[1] ?? '');
        else if (type === 'b') value = v === '1' ? 'TRUE' : 'FALSE';
        else if (v !== undefined) value = decodeEntities(v);
        cells[ref ? columnIndex(ref) : cells.length] = value;
      }
      const filled = Array.from(cells, (c) => c ?? '');
      if (!filled.some((c) => c.trim())) continue;
      if (!header) { header = filled; continue; }
      blocks.push({ kind: 'row', text: rowText(header, filled), page: sheetNo });
    }
    if (header && blocks.at(-1)?.kind === 'heading') blocks.push({ kind: 'row', text: rowText(null, header), page: sheetNo });
  }
  return { format: 'xlsx', blocks, status: 'ready', pages: sheetNo, metadata: { ...coreMetadata(zip), sheets: names.join(', ') } };
}

/** PPTX: one page per slide in order; the title placeholder becomes the heading, table rows rows. */
export function parsePptx(bytes: Uint8Array): ParsedDocument {
  const zip = unzip(bytes);
  const slides = Object.keys(zip)
    .map((p) => ({ p, n: Number(/^ppt\/slides\/slide(\d+)\.xml$/.exec(p)?.[1]) }))
    .filter((s) => Number.isFinite(s.n))
    .sort((a, b) => a.n - b.n);
  if (!slides.length && !zip['ppt/presentation.xml']) throw new Error('not a PPTX file: no slides');
  const blocks: Block[] = [];
  slides.forEach(({ p }, i) => {
    const page = i + 1;
    const xml = strFromU8(zip[p]);
    for (const sp of xml.matchAll(/<p:sp>[\s\S]*?<\/p:sp>|<a:tbl>[\s\S]*?<\/a:tbl>/g)) {
      if (sp[0].startsWith('<a:tbl')) {
        let header: string[] | null = null;
        for (const tr of sp[0].matchAll(/<a:tr\b[\s\S]*?<\/a:tr>/g)) {
          const cells = [...tr[0].matchAll(/<a:tc\b[\s\S]*?<\/a:tc>/g)].map((c) => [...c[0].matchAll(/<a:t>([^<]*)<\/a:t>/g)].map((t) => decodeEntities(t[1])).join('').trim());
          if (!header) { header = cells; continue; }
          blocks.push({ kind: 'row', text: rowText(header, cells), page });
        }
        continue;
      }
      const isTitle = /<p:ph\b[^>]*type="(?:title|ctrTitle)"/.test(sp[0]);
      const paras = [...sp[0].matchAll(/<a:p>[\s\S]*?<\/a:p>/g)]
        .map((ap) => [...ap[0].matchAll(/<a:t>([^<]*)<\/a:t>/g)].map((t) => decodeEntities(t[1])).join('').trim())
        .filter(Boolean);
      if (!paras.length) continue;
      if (isTitle) blocks.push({ kind: 'heading', text: paras.join(' '), level: 1, page });
      else for (const t of paras) blocks.push({ kind: 'text', text: t, page });
    }
    const notesRel = file(zip, `ppt/slides/_rels/${p.split('/').pop()}.rels`);
    const notes = notesRel && /Target="\.\.\/notesSlides\/([^"]+)"/.exec(notesRel)?.[1];
    const notesXml = notes ? file(zip, `ppt/notesSlides/${notes}`) : undefined;
    if (notesXml) {
      const t = [...notesXml.matchAll(/<a:t>([^<]*)<\/a:t>/g)].map((m) => decodeEntities(m[1])).join('').trim();
      if (t && !/^\d+$/.test(t)) blocks.push({ kind: 'text', text: t, page });
    }
  });
  return { format: 'pptx', blocks, status: 'ready', pages: slides.length, metadata: coreMetadata(zip) };
}

/** OFD (GB/T 33190, China's fixed-layout format): text objects of every page, a line break where the baseline moves. */
export function parseOfd(bytes: Uint8Array): ParsedDocument {
  const zip = unzip(bytes);
  const entry = file(zip, 'OFD.xml');
  if (!entry) throw new Error('not an OFD file: OFD.xml is missing');
  const docRoot = (/<ofd:DocRoot>([^<]+)<\/ofd:DocRoot>/.exec(entry)?.[1] ?? 'Doc_0/Document.xml').replace(/^\//, '');
  const docDir = docRoot.includes('/') ? docRoot.slice(0, docRoot.lastIndexOf('/') + 1) : '';
  const doc = file(zip, docRoot) ?? '';
  const title = /<ofd:Title>([^<]*)<\/ofd:Title>/.exec(entry)?.[1];
  const blocks: Block[] = [];
  let pageNo = 0;
  for (const pg of doc.matchAll(/<ofd:Page\b[^>]*>/g)) {
    pageNo++;
    const loc = attr(pg[0], 'BaseLoc');
    if (!loc) continue;
    const content = file(zip, loc.startsWith('/') ? loc.slice(1) : docDir + loc);
    if (!content) continue;
    let lastY: number | null = null;
    let text = '';
    for (const to of content.matchAll(/<ofd:TextObject\b([^>]*)>([\s\S]*?)<\/ofd:TextObject>/g)) {
      const boundary = attr(to[1], 'Boundary')?.split(/\s+/).map(Number);
      const y = boundary?.[1] ?? null;
      const t = [...to[2].matchAll(/<ofd:TextCode\b[^>]*>([^<]*)<\/ofd:TextCode>/g)].map((m) => decodeEntities(m[1])).join('');
      if (lastY !== null && y !== null && Math.abs(y - lastY) > 1) text += '\n';
      text += t;
      lastY = y;
    }
    for (const line of text.split(/\n{2,}/)) if (line.trim()) blocks.push({ kind: 'text', text: line.trim(), page: pageNo });
  }
  return { format: 'ofd', blocks, status: 'ready', pages: pageNo, metadata: title ? { title: decodeEntities(title) } : {} };
}
