/**
 * Windows metafiles (EMF, EMF+, WMF) — what Word, Excel and PowerPoint keep when a chart, a Visio drawing or a range of
 * cells is pasted as a picture, and the preview of an embedded object. They are drawing commands, not pixels: the text
 * is there as text (a pasted table of names and ID numbers is one text record per cell), and a pasted screenshot as a
 * device-independent bitmap. Both are read here, without rendering anything: the text records' strings, and each
 * bitmap as a BMP file (or the JPEG or PNG it holds) for OCR.
 *
 * Not read: text drawn as glyph indices (ETO_GLYPH_INDEX; the font would be needed to map them back to characters) —
 * counted in `glyphRuns` so that the caller can tell a metafile whose text it could not read. `plusTexts` counts the
 * EMF+ strings read: an EMF+ file keeps an EMF drawing of the same picture for older readers, whose text may be
 * glyph indices while the EMF+ records say the same as characters.
 */
export interface MetafileContent { text: string; pictures: Uint8Array[]; glyphRuns: number; plusTexts: number }

/** Text and picture records read from one metafile at most (a metafile is a program; a hostile one may repeat forever). */
const MAX_RECORDS = 1_000_000;
const MAX_PICTURES = 32;

const EMF_SIGNATURE = 0x464d4520; // " EMF"
const EMF_PLUS = 0x2b464d45; // "EMF+"
const WMF_PLACEABLE = 0x9ac6cdd7;
const ETO_GLYPH_INDEX = 0x10;

/** EMF, EMF+ or WMF by its first bytes; null for anything else. */
export function metafileKind(b: Uint8Array): 'emf' | 'wmf' | null {
  if (b.length < 44) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (view.getUint32(0, true) === 1 && view.getUint32(40, true) === EMF_SIGNATURE) return 'emf';
  if (view.getUint32(0, true) === WMF_PLACEABLE) return 'wmf';
  const type = view.getUint16(0, true);
  if ((type === 1 || type === 2) && view.getUint16(2, true) === 9) return 'wmf';
  return null;
}

/**
 * The text and pictures of an EMF or WMF file; empty for anything else. Never throws: a record whose contents point
 * past it is skipped (a renderer skips it too, and draws the next), one whose size breaks the chain ends the reading
 * (nothing after it can be found, by a renderer either).
 */
export function readMetafile(b: Uint8Array): MetafileContent {
  const out: Out = { lines: [], pictures: [], glyphRuns: 0, plusTexts: 0 };
  const kind = metafileKind(b);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (kind === 'emf') readEmf(b, view, out);
  else if (kind === 'wmf') readWmf(b, view, out);
  return { text: out.lines.join('\n'), pictures: out.pictures, glyphRuns: out.glyphRuns, plusTexts: out.plusTexts };
}

interface Out { lines: string[]; pictures: Uint8Array[]; glyphRuns: number; plusTexts: number }

const utf16 = (b: Uint8Array, at: number, chars: number): string => {
  if (at < 0 || chars < 0 || at + 2 * chars > b.length) throw new RangeError('string past the end');
  return Buffer.from(b.buffer, b.byteOffset + at, 2 * chars).toString('utf16le');
};

/** 8-bit text is in the font's code page: GBK on a Chinese system, else Latin-1. */
function ansi(b: Uint8Array, at: number, length: number): string {
  if (at < 0 || length < 0 || at + length > b.length) throw new RangeError('string past the end');
  const bytes = b.subarray(at, at + length);
  if (bytes.every((c) => c < 0x80)) return Buffer.from(bytes).toString('latin1');
  try {
    return new TextDecoder('gbk', { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

function push(out: Out, text: string): void {
  const t = text.replace(/\0+$/, '').trim();
  if (t) out.lines.push(t);
}

function readEmf(b: Uint8Array, view: DataView, out: Out): void {
  let at = 0;
  for (let n = 0; n < MAX_RECORDS && at + 8 <= b.length; n++) {
    const type = view.getUint32(at, true);
    const size = view.getUint32(at + 4, true);
    if (size < 8 || size % 4 !== 0 || at + size > b.length) return;
    const r = at;
    at += size;
    try {
      emfRecord(b, view, type, r, size, out);
    } catch {
      // a string or bitmap past the end of its record: skipped
    }
    if (type === 14) return; // EMR_EOF
  }
}

function emfRecord(b: Uint8Array, view: DataView, type: number, r: number, size: number, out: Out): void {
  switch (type) {
    case 83: // EMR_EXTTEXTOUTA
    case 84: // EMR_EXTTEXTOUTW
      emrText(b, view, r, r + 36, type === 84, out);
      break;
    case 96: // EMR_POLYTEXTOUTA
    case 97: { // EMR_POLYTEXTOUTW
      const count = view.getUint32(r + 36, true);
      for (let k = 0; k < count && 40 + 40 * (k + 1) <= size; k++) emrText(b, view, r, r + 40 + 40 * k, type === 97, out);
      break;
    }
    case 108: { // EMR_SMALLTEXTOUT
      const chars = view.getUint32(r + 16, true);
      const options = view.getUint32(r + 20, true);
      const text = r + 36 + (options & 0x100 ? 0 : 16);
      if (options & ETO_GLYPH_INDEX) out.glyphRuns++;
      else push(out, options & 0x200 ? ansi(b, text, Math.min(chars, r + size - text)) : utf16(b, text, Math.min(chars, (r + size - text) >> 1)));
      break;
    }
    case 70: // EMR_COMMENT: EMF+ records ride in these
      if (size >= 16 && view.getUint32(r + 12, true) === EMF_PLUS) readEmfPlus(b, view, r + 16, r + 8 + 4 + view.getUint32(r + 8, true), out);
      break;
    case 80: // EMR_SETDIBITSTODEVICE
    case 81: // EMR_STRETCHDIBITS
      dib(b, view, r, size, 48, out);
      break;
    case 76: // EMR_BITBLT
    case 77: // EMR_STRETCHBLT
      if (size >= 100) dib(b, view, r, size, 84, out);
      break;
  }
}

/** An EmrText object at `obj` (offsets in it count from the record's start `r`). */
function emrText(b: Uint8Array, view: DataView, r: number, obj: number, wide: boolean, out: Out): void {
  const chars = view.getUint32(obj + 8, true);
  const offString = view.getUint32(obj + 12, true);
  const options = view.getUint32(obj + 16, true);
  if (chars === 0) return;
  if (options & ETO_GLYPH_INDEX) { out.glyphRuns++; return; }
  push(out, wide ? utf16(b, r + offString, chars) : ansi(b, r + offString, chars));
}

/** EMF+ records between `at` and `end`: DrawString, and DrawDriverString when its glyphs are characters. */
function readEmfPlus(b: Uint8Array, view: DataView, at: number, end: number, out: Out): void {
  end = Math.min(end, b.length);
  while (at + 12 <= end) {
    const type = view.getUint16(at, true);
    const size = view.getUint32(at + 4, true);
    if (size < 12 || at + size > end) return;
    if (type === 0x401c && size >= 40) { // EmfPlusDrawString
      push(out, utf16(b, at + 40, Math.min(view.getUint32(at + 20, true), (size - 40) >> 1)));
      out.plusTexts++;
    } else if (type === 0x4036 && size >= 28) { // EmfPlusDrawDriverString
      const cmapLookup = view.getUint32(at + 16, true) & 1;
      const glyphs = Math.min(view.getUint32(at + 24, true), (size - 28) >> 1);
      if (cmapLookup) {
        push(out, utf16(b, at + 28, glyphs));
        out.plusTexts++;
      } else out.glyphRuns++;
    }
    at += size;
  }
}

/**
 * A device-independent bitmap (BITMAPINFO at `offBmi`, bits at `offBits`, both counted from the record's start and
 * given at `fields`) as a file OCR reads: the JPEG or PNG it holds, or a BMP around it.
 */
function dib(b: Uint8Array, view: DataView, r: number, size: number, fields: number, out: Out): void {
  if (out.pictures.length >= MAX_PICTURES) return;
  const [offBmi, cbBmi, offBits, cbBits] = [0, 4, 8, 12].map((k) => view.getUint32(r + fields + k, true));
  if (cbBmi < 40 || cbBits === 0 || offBmi + cbBmi > size || offBits + cbBits > size) return;
  const picture = bitmapFile(b.subarray(r + offBmi, r + offBmi + cbBmi), b.subarray(r + offBits, r + offBits + cbBits));
  if (picture) out.pictures.push(picture);
}

/** BITMAPINFO (header and colour table) and pixel bits as a file: the embedded JPEG or PNG itself, else a BMP. */
function bitmapFile(info: Uint8Array, bits: Uint8Array): Uint8Array | null {
  const view = new DataView(info.buffer, info.byteOffset, info.byteLength);
  if (view.getUint32(0, true) < 40) return null; // an OS/2 core header: no such bitmaps from Office
  const compression = view.getUint32(16, true);
  if (compression === 4 || compression === 5) return bits; // BI_JPEG, BI_PNG
  const file = Buffer.alloc(14 + info.length + bits.length);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(14 + info.length, 10);
  file.set(info, 14);
  file.set(bits, 14 + info.length);
  return file;
}

function readWmf(b: Uint8Array, view: DataView, out: Out): void {
  let at = view.getUint32(0, true) === WMF_PLACEABLE ? 22 : 0;
  at += 2 * view.getUint16(at + 2, true); // the header's own size, in 16-bit words
  for (let n = 0; n < MAX_RECORDS && at + 6 <= b.length; n++) {
    const size = 2 * view.getUint32(at, true);
    const fn = view.getUint16(at + 4, true);
    if (fn === 0 || size < 6 || at + size > b.length) return; // META_EOF, or a broken record
    const r = at;
    at += size;
    try {
      wmfRecord(b, view, fn, r, size, out);
    } catch {
      // a string or bitmap past the end of its record: skipped
    }
  }
}

function wmfRecord(b: Uint8Array, view: DataView, fn: number, r: number, size: number, out: Out): void {
  switch (fn) {
    case 0x0521: // META_TEXTOUT
      push(out, ansi(b, r + 8, Math.min(view.getUint16(r + 6, true), size - 8)));
      break;
    case 0x0a32: { // META_EXTTEXTOUT
      const length = view.getInt16(r + 10, true);
      const options = view.getUint16(r + 12, true);
      const text = r + 14 + (options & 0x0006 ? 8 : 0);
      if (options & ETO_GLYPH_INDEX) out.glyphRuns++;
      else if (length > 0) push(out, ansi(b, text, Math.min(length, r + size - text)));
      break;
    }
    case 0x0f43: // META_STRETCHDIB
      wmfDib(b, view, r + 28, r + size, out);
      break;
    case 0x0b41: // META_DIBSTRETCHBLT (with a bitmap when the record is larger than the one without)
      if (size > 2 * 14) wmfDib(b, view, r + 26, r + size, out);
      break;
    case 0x0940: // META_DIBBITBLT
      if (size > 2 * 12) wmfDib(b, view, r + 22, r + size, out);
      break;
  }
}

/** A WMF's bitmap: BITMAPINFOHEADER, colour table and bits in one run from `at` to `end`. */
function wmfDib(b: Uint8Array, view: DataView, at: number, end: number, out: Out): void {
  if (out.pictures.length >= MAX_PICTURES || at + 40 > end) return;
  const header = view.getUint32(at, true);
  const bitCount = view.getUint16(at + 14, true);
  const compression = view.getUint32(at + 16, true);
  const used = view.getUint32(at + 32, true);
  const colours = used || (bitCount <= 8 ? 1 << bitCount : 0);
  const infoLength = header + 4 * colours + (compression === 3 && header === 40 ? 12 : 0);
  if (header < 40 || at + infoLength >= end) return;
  const picture = bitmapFile(b.subarray(at, at + infoLength), b.subarray(at + infoLength, end));
  if (picture) out.pictures.push(picture);
}
