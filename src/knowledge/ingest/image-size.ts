import { IngestLimitError, type IngestLimits } from './limits.ts';

/** Before OCR: an image must say how large it is, and be no larger than the limit (a few bytes can declare gigapixels). */
export function checkImagePixels(size: { width: number; height: number } | null, limits: IngestLimits): void {
  if (size === null) throw new IngestLimitError('the image\'s header does not say its size (PNG, JPEG, GIF, BMP, WebP and TIFF are read)');
  if (size.width * size.height > limits.maxImagePixels) {
    throw new IngestLimitError(`the image has ${size.width} × ${size.height} pixels (at most ${limits.maxImagePixels.toLocaleString('en')})`);
  }
}

/**
 * The pixel size an image file declares, read from its header alone: a PNG of a few kilobytes may declare
 * 30,000 × 30,000 pixels, which OCR would decode into gigabytes. Known: PNG, JPEG, GIF, BMP, WebP and TIFF — the image
 * formats the ingest reads (index.ts). Null when the header is not one of them or is cut short.
 */
export function imageSize(b: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ascii = (at: number, s: string) => b.length >= at + s.length && [...s].every((c, i) => b[at + i] === c.charCodeAt(0));
  try {
    if (ascii(1, 'PNG') && b[0] === 0x89) return { width: view.getUint32(16), height: view.getUint32(20) };
    if (b[0] === 0xff && b[1] === 0xd8) return jpegSize(b, view);
    if (ascii(0, 'GIF8')) return gifSize(b, view);
    if (ascii(0, 'BM')) return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
    if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return webpSize(b, view, ascii);
    if (ascii(0, 'II') || ascii(0, 'MM')) return tiffSize(view, b[0] === 0x49);
  } catch {
    return null; // a header cut short (DataView reads past the end)
  }
  return null;
}

/** JPEG: the first start-of-frame segment (SOF0–SOF15 but DHT, JPG and DAC) holds height and width. */
function jpegSize(b: Uint8Array, view: DataView): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; } // fill byte
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: view.getUint16(i + 7), height: view.getUint16(i + 5) };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { i += 2; continue; }
    i += 2 + view.getUint16(i + 2);
  }
  return null;
}

/**
 * GIF: the larger of the logical screen and the first frame (a decoder allocates the frame as its descriptor declares it,
 * whatever the screen says). Extension blocks before the frame are skipped.
 */
function gifSize(b: Uint8Array, view: DataView): { width: number; height: number } | null {
  let width = view.getUint16(6, true);
  let height = view.getUint16(8, true);
  let i = 13 + (b[10] & 0x80 ? 3 << ((b[10] & 7) + 1) : 0);
  while (i < b.length && b[i] === 0x21) { // extension: label, then sub-blocks up to a zero length
    i += 2;
    while (i < b.length && b[i] !== 0) i += b[i] + 1;
    i++;
  }
  if (b[i] !== 0x2c) return null;
  width = Math.max(width, view.getUint16(i + 5, true));
  height = Math.max(height, view.getUint16(i + 7, true));
  return { width, height };
}

function webpSize(b: Uint8Array, view: DataView, ascii: (at: number, s: string) => boolean): { width: number; height: number } | null {
  if (ascii(12, 'VP8 ')) return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (ascii(12, 'VP8L')) {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (ascii(12, 'VP8X')) {
    const u24 = (at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
    return { width: u24(24) + 1, height: u24(27) + 1 };
  }
  return null;
}

/** TIFF: ImageWidth (256) and ImageLength (257) of the first image file directory. */
function tiffSize(view: DataView, little: boolean): { width: number; height: number } | null {
  const ifd = view.getUint32(4, little);
  const count = view.getUint16(ifd, little);
  let width = -1;
  let height = -1;
  for (let k = 0; k < count && k < 1000; k++) {
    const at = ifd + 2 + 12 * k;
    const tag = view.getUint16(at, little);
    if (tag !== 256 && tag !== 257) continue;
    const value = view.getUint16(at + 2, little) === 3 ? view.getUint16(at + 8, little) : view.getUint32(at + 8, little);
    if (tag === 256) width = value;
    else height = value;
  }
  return width >= 0 && height >= 0 ? { width, height } : null;
}
