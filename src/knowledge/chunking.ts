import type { Block, Chunk } from './types.ts';

export interface ChunkOptions {
  /** Target upper bound of a chunk in characters. */
  maxChars?: number;
  /** Characters of whole sentences repeated from the end of one chunk at the start of the next. */
  overlapChars?: number;
}

interface Piece { text: string; page: number | null; row: boolean; first: boolean }

/** Sentence ends: Chinese 。！？； and their ASCII forms (a full stop only when followed by space or end), plus line breaks. */
const SENTENCE = /[^。！？；!?;\n]*(?:[。！？；!?;]+[”’"')）】]*|\n+|$)/gu;

/** Splits text into sentences, keeping the punctuation with its sentence. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SENTENCE)) {
    const s = m[0].trim();
    if (s) out.push(s);
  }
  return out;
}

/** A sentence longer than max is cut at a comma when there is one near the limit, else at the limit. */
function hardSplit(s: string, max: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (rest.length > max) {
    let cut = -1;
    for (let i = max; i > max * 0.6; i--) if ('，,、 ：:'.includes(rest[i - 1])) { cut = i; break; }
    if (cut < 0) cut = max;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) out.push(rest);
  return out;
}

const WIDE_END = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]$/u;

/** Pieces of one block join without a gap in Chinese and with a space in Latin text; blocks and rows with a line break. */
function joinPieces(pieces: readonly Piece[]): string {
  let out = '';
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    if (i > 0) out += p.first || p.row ? '\n' : WIDE_END.test(out) ? '' : ' ';
    out += p.text;
  }
  return out;
}

/**
 * Groups blocks into chunks: sentences are never cut unless longer than a chunk, table rows never,
 * a heading starts a new chunk and is carried as the chunk's heading (the path of enclosing headings),
 * and consecutive chunks of one section share `overlapChars` of whole sentences.
 */
export function chunkBlocks(blocks: readonly Block[], opts: ChunkOptions = {}): Chunk[] {
  const max = Math.max(50, opts.maxChars ?? 500);
  const overlap = Math.min(Math.max(0, opts.overlapChars ?? 80), Math.floor(max / 2));
  const chunks: Chunk[] = [];
  const headings: string[] = [];
  let current: Piece[] = [];
  let size = 0;
  let carried = 0; // pieces at the start of `current` repeated from the previous chunk

  const headingPath = () => (headings.length ? headings.filter(Boolean).join(' > ') : null);
  const emit = (keepOverlap: boolean) => {
    if (current.length > carried) {
      const text = joinPieces(current);
      // The page of the chunk's own first piece (not of the overlap carried from the page before).
      chunks.push({ seq: chunks.length, text, heading: headingPath(), page: current.slice(carried).find((p) => p.page !== null)?.page ?? null });
    }
    if (!keepOverlap || overlap === 0) { current = []; size = 0; carried = 0; return; }
    const tail: Piece[] = [];
    let n = 0;
    for (let i = current.length - 1; i >= 0 && n + current[i].text.length <= overlap; i--) {
      tail.unshift(current[i]);
      n += current[i].text.length;
    }
    current = tail;
    size = n;
    carried = tail.length;
  };
  const add = (piece: Piece) => {
    // A new page starts a new chunk, so a citation names the exact page.
    const pageTurn = current.length > carried && piece.page !== null && current.at(-1)!.page !== piece.page;
    if ((pageTurn || size + piece.text.length > max) && current.length > carried) emit(true);
    else if (size + piece.text.length > max) { current = []; size = 0; carried = 0; }
    current.push(piece);
    size += piece.text.length;
  };

  for (const b of blocks) {
    const page = b.page ?? null;
    if (b.kind === 'heading') {
      emit(false);
      const level = Math.min(Math.max(b.level ?? 1, 1), 6);
      headings.length = level - 1;
      headings[level - 1] = b.text.trim();
      continue;
    }
    if (b.kind === 'row') {
      for (const part of hardSplit(b.text.trim(), max)) if (part) add({ text: part, page, row: true, first: true });
      continue;
    }
    let first = true;
    for (const s of splitSentences(b.text)) {
      for (const part of hardSplit(s, max)) {
        add({ text: part, page, row: false, first });
        first = false;
      }
    }
  }
  emit(false);
  return chunks;
}
