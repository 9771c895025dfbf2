import type { Block, ParsedDocument } from '../types.ts';
import { decodeText, rowText } from './text.ts';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ensp: ' ', emsp: ' ', middot: '·', mdash: '—', ndash: '–', hellip: '…', ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', copy: '©', reg: '®' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp < 0x110000 ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

const clean = (s: string) => decodeEntities(s.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();

/** A charset declared in a meta tag wins over detection (GBK pages often declare it). */
export function decodeHtml(bytes: Uint8Array): { text: string; encoding: string } {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  const m = /<meta[^>]+charset=["']?\s*([\w-]+)/i.exec(head);
  if (m) {
    try {
      return { text: new TextDecoder(m[1].toLowerCase()).decode(bytes), encoding: m[1].toLowerCase() };
    } catch { /* unknown label: detect */ }
  }
  return decodeText(bytes);
}

/** HTML: scripts and styles dropped; h1–h6 become headings, table rows rows, block elements paragraphs. */
export function parseHtml(bytes: Uint8Array): ParsedDocument {
  const { text, encoding } = decodeHtml(bytes);
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text);
  const body = text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|noscript|template|svg|head)\b[\s\S]*?<\/\1\s*>/gi, '');
  const blocks: Block[] = [];
  const TOKEN = /<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>|<table\b[^>]*>([\s\S]*?)<\/table\s*>|<(?:p|div|li|br|section|article|blockquote|pre|dd|dt|tr)\b[^>]*\/?>|<\/(?:p|div|li|section|article|blockquote|pre)\s*>/gi;
  let last = 0;
  let para = '';
  const flush = () => {
    const t = clean(para);
    if (t) blocks.push({ kind: 'text', text: t });
    para = '';
  };
  for (const m of body.matchAll(TOKEN)) {
    para += body.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[1]) {
      flush();
      const h = clean(m[2]);
      if (h) blocks.push({ kind: 'heading', text: h, level: Number(m[1]) });
    } else if (m[3] !== undefined) {
      flush();
      let header: string[] | null = null;
      for (const tr of m[3].matchAll(/<tr\b[^>]*>([\s\S]*?)(?=<tr\b|<\/table|$)/gi)) {
        const cells = [...tr[1].matchAll(/<t([hd])\b[^>]*>([\s\S]*?)(?=<t[hd]\b|<\/tr|$)/gi)].map((c) => ({ th: c[1].toLowerCase() === 'h', text: clean(c[2]) }));
        if (!cells.length) continue;
        if (!header && cells.every((c) => c.th)) { header = cells.map((c) => c.text); continue; }
        const row = rowText(header, cells.map((c) => c.text));
        if (row) blocks.push({ kind: 'row', text: row });
      }
    } else flush();
  }
  para += body.slice(last);
  flush();
  const metadata: Record<string, string> = { encoding };
  if (title) metadata.title = clean(title[1]);
  return { format: 'html', blocks, status: 'ready', metadata };
}
