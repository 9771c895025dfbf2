import { checkImagePixels } from './image-size.ts';
import { IngestLimitError, type IngestLimits } from './limits.ts';
import { FrameBudget, laterPictures, WORK_FACTOR, type Screen } from './frames.ts';
import { isPng, pngChunks, pngHeader, pngPixels, type PngHeader } from './png.ts';

/**
 * The frames of an animated PNG (APNG) as a viewer shows them, for OCR: tesseract reads the still image of the file
 * (its IDAT), as any viewer that does not animate it does, and never the frames after it (fdAT chunks) — a sticker or a
 * screen recording saved as APNG may show anything there. Each frame is decoded (8-bit and lower gray, RGB, palette,
 * with alpha; 16-bit read by its high byte) and drawn as the format says (its region, blended over or replacing what
 * is under it, then left, cleared or restored); which screens become pictures, and the bounds, are frames.ts's.
 * An interlaced APNG is not read frame by frame (IngestLimitError: the file is unread), nor one whose frame data does
 * not inflate to the size its header says.
 */
export function laterApngFrames(b: Uint8Array, limits: IngestLimits, maxPictures: number): Uint8Array[] {
  const png = chunks(b);
  if (png === null || png.frames.length === 0 || (png.frames.length === 1 && png.firstIsStill)) return [];
  if (png.header.interlace !== 0) throw new IngestLimitError('an interlaced animated PNG is not read frame by frame');
  checkImagePixels(png.header, limits);
  // What OCR reads: the still image, over white.
  const still = new Uint8Array(png.header.width * png.header.height * 3).fill(255);
  const stillPixels = pngPixels(png.header, png.still, png.header.width, png.header.height, png.palette, png.alpha);
  blend(still, png.header.width, { x: 0, y: 0, width: png.header.width, height: png.header.height, over: false }, stillPixels);
  const screens = framesOf(png, limits);
  if (png.firstIsStill) screens.next(); // the first frame is the still image OCR reads
  return laterPictures(screens, still, maxPictures, 'animated PNG');
}

interface Frame { width: number; height: number; x: number; y: number; dispose: number; over: boolean; data: Uint8Array[] }
interface Png { header: PngHeader; palette: Uint8Array | null; alpha: Uint8Array | null; still: Uint8Array[]; frames: Frame[]; firstIsStill: boolean }

/** The chunks an APNG reader needs, in file order; null when the file is not an animated PNG. */
function chunks(b: Uint8Array): Png | null {
  if (b.length < 33 || !isPng(b)) return null;
  let header: PngHeader | null = null;
  let animated = false;
  let fdat = false;
  const png: Omit<Png, 'header'> = { palette: null, alpha: null, still: [], frames: [], firstIsStill: false };
  for (const { type, data } of pngChunks(b)) {
    const frame = png.frames[png.frames.length - 1];
    if (type === 'IHDR') header = pngHeader(data);
    else if (type === 'acTL') animated = true;
    else if (type === 'IDAT' && !animated) return null; // the animation control comes before the still image, or there is none
    else if (type === 'PLTE') png.palette = data;
    else if (type === 'tRNS') png.alpha = data;
    else if (type === 'fcTL' && data.length >= 26) {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      png.frames.push({
        width: view.getUint32(4), height: view.getUint32(8), x: view.getUint32(12), y: view.getUint32(16),
        dispose: data[24], over: data[25] === 1, data: [],
      });
    } else if (type === 'IDAT') {
      png.still.push(data);
      // A frame control before the still image makes the still image the first frame.
      if (frame !== undefined && png.frames.length === 1 && !fdat) {
        frame.data.push(data);
        png.firstIsStill = true;
      }
    } else if (type === 'fdAT' && frame !== undefined && data.length > 4) {
      fdat = true;
      frame.data.push(data.subarray(4)); // after the sequence number
    } else if (type === 'IEND') break;
  }
  return header === null || !animated ? null : { header, ...png };
}

/**
 * The screen (RGB, on white) after each frame of an animated PNG, as a viewer shows it; none for a PNG that is not
 * animated. The same array is yielded each time, changed in place: copy what is kept.
 */
export function apngScreens(b: Uint8Array, limits: IngestLimits): Generator<Screen> | [] {
  const png = chunks(b);
  if (png === null) return [];
  checkImagePixels(png.header, limits);
  return framesOf(png, limits);
}

/** Frames blended onto a white screen, then disposed of as each says. */
function* framesOf(png: Png, limits: IngestLimits): Generator<Screen> {
  const { width, height } = png.header;
  const budget = new FrameBudget(WORK_FACTOR * limits.maxImagePixels, 'animated PNG');
  const rgb = new Uint8Array(width * height * 3).fill(255);
  for (const [k, f] of png.frames.entries()) {
    if (f.x + f.width > width || f.y + f.height > height) break; // a frame outside the screen: the file is broken
    budget.frame(f.width * f.height, width * height);
    const pixels = pngPixels(png.header, f.data, f.width, f.height, png.palette, png.alpha);
    // Disposing to the previous screen on the first frame means to the background (the APNG specification).
    const under = f.dispose === 2 && k > 0 ? rgb.slice() : null;
    blend(rgb, width, { x: f.x, y: f.y, width: f.width, height: f.height, over: f.over }, pixels);
    yield { width, height, rgb };
    if (under !== null) rgb.set(under);
    else if (f.dispose !== 0) for (let y = f.y; y < f.y + f.height; y++) rgb.fill(255, 3 * (y * width + f.x), 3 * (y * width + f.x + f.width));
  }
}

/** Frame pixels (RGBA) onto the RGB screen: over what is there by their alpha, or replacing it (shown on white). */
function blend(rgb: Uint8Array, width: number, f: { x: number; y: number; width: number; height: number; over: boolean }, pixels: Uint8Array): void {
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const s = 4 * (y * f.width + x);
      const d = 3 * ((f.y + y) * width + f.x + x);
      const alpha = pixels[s + 3] / 255;
      for (let c = 0; c < 3; c++) {
        const under = f.over ? rgb[d + c] : 255;
        rgb[d + c] = Math.round(pixels[s + c] * alpha + under * (1 - alpha));
      }
    }
  }
}
