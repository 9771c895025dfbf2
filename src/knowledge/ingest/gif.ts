import { checkImagePixels } from './image-size.ts';
import type { IngestLimits } from './limits.ts';
import { FrameBudget, laterPictures, WORK_FACTOR, type Screen } from './frames.ts';

/**
 * The frames of an animated GIF after the first, as a viewer shows them, for OCR (tesseract reads only a GIF's first
 * frame; a screen recording or an animation may show an ID card, a customer's record or a phone number on any later
 * one). Each frame is drawn onto the screen the way the format says (its position, transparency, disposal: left,
 * cleared, or restored to what was under it; interlaced rows); which screens become pictures, and the bounds, are
 * frames.ts's. Returned as PNG files.
 */
export function laterGifFrames(b: Uint8Array, limits: IngestLimits, maxPictures: number): Uint8Array[] {
  if (!isGif(b) || frameCount(b) < 2) return [];
  const screens = gifScreens(b, limits);
  const first = screens.next();
  return first.done ? [] : laterPictures(screens, first.value.rgb.slice(), maxPictures, 'GIF');
}

/**
 * The screen (RGB, white where nothing was drawn) after each frame of a GIF, as a viewer shows it. The same array is
 * yielded each time, changed in place: copy what is kept.
 */
export function* gifScreens(b: Uint8Array, limits: IngestLimits): Generator<Screen> {
  const width = b[6] | (b[7] << 8);
  const height = b[8] | (b[9] << 8);
  checkImagePixels({ width, height }, limits);
  const budget = new FrameBudget(WORK_FACTOR * limits.maxImagePixels, 'GIF');
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const globalPalette = b[10] & 0x80 ? b.subarray(13, 13 + 3 * (2 << (b[10] & 7))) : null;
  let i = 13 + (globalPalette?.length ?? 0);
  let disposal = 0;
  let transparent = -1;
  while (i < b.length) {
    const block = b[i];
    if (block === 0x3b) break;
    if (block === 0x21) {
      if (b[i + 1] === 0xf9 && b[i + 2] >= 4) { // graphic control: disposal and transparency of the next frame
        disposal = (b[i + 3] >> 2) & 7;
        transparent = b[i + 3] & 1 ? b[i + 6] : -1;
      }
      i = skipSubBlocks(b, i + 2);
      continue;
    }
    if (block !== 0x2c || i + 10 > b.length) break;
    const x = b[i + 1] | (b[i + 2] << 8);
    const y = b[i + 3] | (b[i + 4] << 8);
    const w = b[i + 5] | (b[i + 6] << 8);
    const h = b[i + 7] | (b[i + 8] << 8);
    const flags = b[i + 9];
    i += 10;
    let palette = globalPalette;
    if (flags & 0x80) {
      palette = b.subarray(i, i + 3 * (2 << (flags & 7)));
      i += palette.length;
    }
    budget.frame(w * h, width * height);
    const dataEnd = skipSubBlocks(b, i + 1);
    const indices = lzw(b, i + 1, dataEnd, b[i], w * h);
    i = dataEnd;
    const under = disposal === 3 ? rgb.slice() : null;
    draw(rgb, width, height, indices, { x, y, w, h, interlaced: (flags & 0x40) !== 0 }, palette, transparent);
    yield { width, height, rgb };
    if (disposal === 2) clear(rgb, width, height, x, y, w, h);
    else if (under !== null) rgb.set(under);
    disposal = 0;
    transparent = -1;
  }
}

/** "GIF87a" or "GIF89a". */
function isGif(b: Uint8Array): boolean {
  return b.length >= 13 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38 && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61;
}

/** Frames in the file (image descriptors), read from its block structure without decoding any. */
function frameCount(b: Uint8Array): number {
  let i = 13 + (b[10] & 0x80 ? 3 * (2 << (b[10] & 7)) : 0);
  let n = 0;
  while (i < b.length && n < 2) {
    if (b[i] === 0x21) i = skipSubBlocks(b, i + 2);
    else if (b[i] === 0x2c && i + 10 <= b.length) {
      n++;
      const flags = b[i + 9];
      i += 10 + (flags & 0x80 ? 3 * (2 << (flags & 7)) : 0);
      i = skipSubBlocks(b, i + 1);
    } else break;
  }
  return n;
}

/** The offset after a run of sub-blocks starting at `i` (each a length byte and that many bytes; a zero length ends it). */
function skipSubBlocks(b: Uint8Array, i: number): number {
  while (i < b.length && b[i] !== 0) i += b[i] + 1;
  return i + 1;
}

/** GIF's LZW: the colour indices of one frame from its sub-blocks in b[from, to), at most `count` of them. */
function lzw(b: Uint8Array, from: number, to: number, minCodeSize: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  if (minCodeSize < 2 || minCodeSize > 11) return out;
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let c = 0; c < clear; c++) { prefix[c] = -1; suffix[c] = c; first[c] = c; length[c] = 1; }
  let size = minCodeSize + 1;
  let next = end + 1;
  let previous = -1;
  let acc = 0;
  let bits = 0;
  let n = 0;
  let block = 0;
  for (let i = from; i < to && n < count;) {
    if (block === 0) { block = b[i++]; if (block === 0) break; continue; }
    acc |= b[i++] << bits;
    bits += 8;
    block--;
    while (bits >= size && n < count) {
      const code = acc & ((1 << size) - 1);
      acc >>>= size;
      bits -= size;
      if (code === clear) { size = minCodeSize + 1; next = end + 1; previous = -1; continue; }
      if (code === end) return out;
      if (code > next || (code === next && previous < 0)) return out; // a code not yet defined: the data is broken
      if (previous >= 0 && next < 4096) { // the previous string plus the first character of this one
        prefix[next] = previous;
        suffix[next] = code < next ? first[code] : first[previous];
        first[next] = first[previous];
        length[next] = length[previous] + 1;
        next++;
        if (next === 1 << size && size < 12) size++;
      }
      // The string of `code`, written from its last character back.
      const len = length[code];
      for (let c = code, k = n + len - 1; c >= 0; c = prefix[c], k--) if (k < count) out[k] = suffix[c];
      n = Math.min(count, n + len);
      previous = code;
    }
  }
  return out;
}

/** Rows of an interlaced frame in the order they are stored: every 8th from 0, every 8th from 4, every 4th from 2, every 2nd from 1. */
function rowOrder(h: number, interlaced: boolean): number[] {
  if (!interlaced) return Array.from({ length: h }, (_, r) => r);
  const rows: number[] = [];
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) for (let r = start; r < h; r += step) rows.push(r);
  return rows;
}

function draw(screen: Uint8Array, width: number, height: number, indices: Uint8Array,
  f: { x: number; y: number; w: number; h: number; interlaced: boolean }, palette: Uint8Array | null, transparent: number): void {
  if (palette === null) return;
  const rows = rowOrder(f.h, f.interlaced);
  for (let k = 0; k < f.h; k++) {
    const sy = f.y + rows[k];
    if (sy >= height) continue;
    for (let col = 0; col < f.w; col++) {
      const sx = f.x + col;
      const index = indices[k * f.w + col];
      if (sx >= width || index === transparent || 3 * index + 2 >= palette.length) continue;
      const at = 3 * (sy * width + sx);
      screen[at] = palette[3 * index];
      screen[at + 1] = palette[3 * index + 1];
      screen[at + 2] = palette[3 * index + 2];
    }
  }
}

/** Disposal 2: the frame's area back to the background (white: what OCR reads best, and what viewers mostly show). */
function clear(screen: Uint8Array, width: number, height: number, x: number, y: number, w: number, h: number): void {
  for (let sy = y; sy < Math.min(height, y + h); sy++) screen.fill(255, 3 * (sy * width + x), 3 * (sy * width + Math.min(width, x + w)));
}
