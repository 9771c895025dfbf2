import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { IngestLimitError } from './limits.ts';

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/**
 * Raw pixels (8-bit gray, RGB or RGBA, row-major) as a PNG file: how an image extracted from a scanned PDF
 * page is handed to OCR, which reads encoded images only.
 */
export function encodePng(img: { width: number; height: number; channels: 1 | 3 | 4; data: Uint8Array | Uint8ClampedArray }): Buffer {
  const { width, height, channels } = img;
  const rowBytes = width * channels;
  const raw = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) raw.set(img.data.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : channels === 3 ? 2 : 6; // gray, RGB, RGBA
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** One PNG chunk: length, type, data and the CRC of type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}


/** A PNG with `chunks` placed right after its header chunk (IHDR), where readers look for metadata; null for anything else. */
export function withChunksAfterHeader(png: Uint8Array, chunks: readonly Buffer[]): Buffer | null {
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (bytes.length <= 33 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  const ihdrEnd = 8 + 8 + bytes.readUInt32BE(8) + 4;
  return Buffer.concat([bytes.subarray(0, ihdrEnd), ...chunks, bytes.subarray(ihdrEnd)]);
}

/** What a PNG's header says of its pixels. */
export interface PngHeader { width: number; height: number; depth: number; color: number; interlace: number }

/** Samples per pixel of each PNG colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Pixels as RGBA (8 bits each) from a PNG's zlib data (an image's IDAT chunks, or an APNG frame's): inflated no further
 * than `width` × `height` need, unfiltered, expanded; 16-bit samples read by their high byte. Not interlaced.
 */
export function pngPixels(h: PngHeader, data: readonly Uint8Array[], width: number, height: number,
  palette: Uint8Array | null, alpha: Uint8Array | null): Uint8Array {
  const channels = CHANNELS[h.color];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(h.depth)) throw new IngestLimitError(`PNG colour type ${h.color} at ${h.depth} bits is not read`);
  const bitsPerPixel = channels * h.depth;
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
  const expected = (rowBytes + 1) * height;
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(data), { maxOutputLength: expected });
  } catch {
    throw new IngestLimitError('PNG data that does not inflate to the size its header says');
  }
  if (raw.length < expected) throw new IngestLimitError('PNG data cut short');
  unfilter(raw, rowBytes, height, Math.max(1, bitsPerPixel >> 3));
  const out = new Uint8Array(width * height * 4);
  const sample = (row: number, index: number): number => { // the index-th sample of a row, scaled to 8 bits
    const at = row * (rowBytes + 1) + 1;
    if (h.depth === 8) return raw[at + index];
    if (h.depth === 16) return raw[at + 2 * index];
    const bit = index * h.depth;
    const v = (raw[at + (bit >> 3)] >> (8 - h.depth - (bit & 7))) & ((1 << h.depth) - 1);
    return h.color === 3 ? v : Math.round((v * 255) / ((1 << h.depth) - 1));
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      const s = x * channels;
      if (h.color === 3) {
        const index = sample(y, x);
        out[o] = palette?.[3 * index] ?? 0; out[o + 1] = palette?.[3 * index + 1] ?? 0; out[o + 2] = palette?.[3 * index + 2] ?? 0;
        out[o + 3] = alpha?.[index] ?? 255;
      } else if (h.color === 0 || h.color === 4) {
        const v = sample(y, s);
        out[o] = out[o + 1] = out[o + 2] = v;
        out[o + 3] = h.color === 4 ? sample(y, s + 1) : 255;
      } else {
        out[o] = sample(y, s); out[o + 1] = sample(y, s + 1); out[o + 2] = sample(y, s + 2);
        out[o + 3] = h.color === 6 ? sample(y, s + 3) : 255;
      }
    }
  }
  return out;
}

/** PNG's five row filters undone in place; each row starts with its filter byte. */
function unfilter(raw: Uint8Array, rowBytes: number, height: number, bpp: number): void {
  const stride = rowBytes + 1;
  for (let y = 0; y < height; y++) {
    const at = y * stride + 1;
    const up = at - stride;
    const filter = raw[at - 1];
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? raw[at + i - bpp] : 0;
      const b = y > 0 ? raw[up + i] : 0;
      const c = y > 0 && i >= bpp ? raw[up + i - bpp] : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      raw[at + i] = (raw[at + i] + add) & 255;
    }
  }
}

/** Whether `b` starts with the PNG signature. */
export function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && PNG_SIGNATURE.equals(Buffer.from(b.buffer, b.byteOffset, 8));
}

/** The chunks of a PNG file in order, each its type and data (cut short at the file's end); the signature is the caller's. */
export function* pngChunks(b: Uint8Array): Generator<{ type: string; data: Uint8Array }> {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 8; i + 12 <= b.length;) {
    const length = view.getUint32(i);
    const type = String.fromCharCode(b[i + 4], b[i + 5], b[i + 6], b[i + 7]);
    yield { type, data: b.subarray(i + 8, i + 8 + length) };
    i += 12 + length;
  }
}

/** A PNG header chunk's fields; null when it is cut short. */
export function pngHeader(data: Uint8Array): PngHeader | null {
  if (data.length < 13) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { width: view.getUint32(0), height: view.getUint32(4), depth: data[8], color: data[9], interlace: data[12] };
}

/** A PNG file's pixels as RGBA; null for anything but a PNG, or an interlaced one. Sizes are the caller's to check. */
export function decodePng(b: Uint8Array): { width: number; height: number; rgba: Uint8Array } | null {
  if (b.length < 33 || !isPng(b)) return null;
  let header: PngHeader | null = null;
  let palette: Uint8Array | null = null;
  let alpha: Uint8Array | null = null;
  const data: Uint8Array[] = [];
  for (const { type, data: body } of pngChunks(b)) {
    if (type === 'IHDR') header = pngHeader(body);
    else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') alpha = body;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
  }
  if (header === null || header.interlace !== 0) return null;
  return { width: header.width, height: header.height, rgba: pngPixels(header, data, header.width, header.height, palette, alpha) };
}
