import type { Block, ParsedDocument } from '../types.ts';

/**
 * Decodes bytes of unknown encoding: a BOM decides (UTF-8, UTF-16LE/BE); otherwise strict UTF-8,
 * and when that fails GB18030 (a superset of GBK and GB2312, decoded by Node's ICU TextDecoder).
 */
// Decoders are reusable (decode() without { stream } starts afresh each time); making one per file cost more
// than decoding a small file.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

export function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  try {
    return { text: STRICT_UTF8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

/** Paragraphs separated by blank lines; single line breaks inside a paragraph are kept as sentence breaks. */
export function paragraphs(text: string, page?: number): Block[] {
  const out: Block[] = [];
  for (const para of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const t = para.trim();
    if (t) out.push(page === undefined ? { kind: 'text', text: t } : { kind: 'text', text: t, page });
  }
  return out;
}

export function parseTxt(bytes: Uint8Array): ParsedDocument {
  const { text, encoding } = decodeText(bytes);
  // Form feeds separate pages in text exported from PDFs and printers.
  const pages = text.split('\f');
  const blocks = pages.length > 1 ? pages.flatMap((p, i) => paragraphs(p, i + 1)) : paragraphs(text);
  return { format: 'txt', blocks, status: 'ready', metadata: { encoding }, ...(pages.length > 1 ? { pages: pages.length } : {}) };
}

/** Markdown: ATX headings become headings, pipe-table rows become rows, markup is stripped from text. */
export function parseMarkdown(bytes: Uint8Array): ParsedDocument {
  const { text, encoding } = decodeText(bytes);
  const blocks: Block[] = [];
  let para: string[] = [];
  let header: string[] | null = null;
  let inFence = false;
  const flush = () => {
    const t = para.join('\n').trim();
    if (t) blocks.push({ kind: 'text', text: t });
    para = [];
  };
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*(```|~~~)/.test(line)) { inFence = !inFence; continue; }
    if (inFence) { para.push(line); continue; }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) { flush(); header = null; blocks.push({ kind: 'heading', text: stripInline(h[2]), level: h[1].length }); continue; }
    if (/^\s*\|.*\|\s*$/.test(line)) {
      flush();
      const cells = line.trim().replace(/^\||\|$/g, '').split('|').map((c) => stripInline(c.trim()));
      if (cells.every((c) => /^:?-{2,}:?$/.test(c))) continue;
      if (!header) { header = cells; continue; }
      blocks.push({ kind: 'row', text: rowText(header, cells) });
      continue;
    }
    header = null;
    if (!line.trim()) { flush(); continue; }
    para.push(stripInline(line.replace(/^\s*(?:[-*+]|\d+\.)\s+/, '').replace(/^\s*>\s?/, '')));
  }
  flush();
  return { format: 'md', blocks, status: 'ready', metadata: { encoding } };
}

function stripInline(s: string): string {
  return s
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`|~~)(.+?)\1/g, '$2')
    .replace(/<[^>]+>/g, '');
}

/** A table row as "header: value; …" so a chunk of rows still says what each value is. */
export function rowText(header: readonly string[] | null, cells: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i]?.trim();
    if (!v) continue;
    const h = header?.[i]?.trim();
    parts.push(h && h !== v ? `${h}: ${v}` : v);
  }
  return parts.join('; ');
}
