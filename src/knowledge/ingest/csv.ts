import type { Block, ParsedDocument } from '../types.ts';
import { decodeText, rowText } from './text.ts';

/** RFC 4180 records: quoted fields may hold separators, quotes ("") and line breaks. */
export function parseCsvRecords(text: string, sep = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === sep) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

/** CSV or TSV: the first record is the header; every later record becomes one row block. */
export function parseCsv(bytes: Uint8Array, tsv = false): ParsedDocument {
  const { text, encoding } = decodeText(bytes);
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const sep = tsv || (firstLine.split('\t').length > firstLine.split(',').length) ? '\t' : ',';
  const records = parseCsvRecords(text, sep);
  const header = records[0] ?? null;
  const blocks: Block[] = records.slice(1).map((r) => ({ kind: 'row', text: rowText(header, r) }));
  if (records.length === 1) blocks.push({ kind: 'row', text: rowText(null, records[0]) });
  return { format: 'csv', blocks, status: 'ready', metadata: { encoding, columns: (header ?? []).join(', ') } };
}
