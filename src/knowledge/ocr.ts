import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OcrFunction } from './ingest/index.ts';
import { withOrientation, type Orientation } from './orientation.ts';
import { imageSize } from './ingest/image-size.ts';
import { enlargedPng } from './ingest/scale.ts';

/** An OCR function that also owns a worker thread: close it when done. */
export type OcrEngine = OcrFunction & { close(): Promise<void> };

interface Reading {
  text: string;
  confidence: number;
  blocks?: Array<{ paragraphs: Array<{ lines: Array<{ text: string; bbox: { y0: number; y1: number } }> }> }> | null;
  imageGrey?: string | null;
}

interface TesseractWorker {
  recognize(img: Uint8Array, options?: object, output?: object): Promise<{ data: Reading }>;
  terminate(): Promise<void>;
}

/**
 * Small type: lines of text this many pixels tall or less (9–12 px type, a screenshot of a dense table or of a page at
 * a small zoom) are read again from the image made twice as large, and both readings are kept (either may read a
 * digit the other misreads: 6 px stroke digits read `138 oo13 aooo` as they are and right when enlarged, 8 px ones the
 * other way round). Tesseract reads 9 px type at confidence ≈ 40 — `身份证` as `身从让`, e-mail addresses garbled — and
 * the same image twice as large at ≈ 70 (bench:attachments-ocr). The enlarging is `enlarge`'s (scale.ts enlargedPng).
 */
const SMALL_TYPE_LINE_HEIGHT = 12;
/** The first reading also gives the lines (their heights) and the grey image tesseract read (to enlarge). */
const FIRST_READING = { text: true, blocks: true, imageGrey: true };

/** The median height of the lines of a reading that hold some text; null when there are none. */
export function medianLineHeight(reading: Reading): number | null {
  const heights: number[] = [];
  for (const block of reading.blocks ?? []) {
    for (const p of block.paragraphs) for (const line of p.lines) if (line.text.trim().length >= 2) heights.push(line.bbox.y1 - line.bbox.y0);
  }
  if (heights.length === 0) return null;
  heights.sort((a, b) => a - b);
  return heights[heights.length >> 1];
}

/** The grey image tesseract read, as PNG bytes; null when the reading does not hold it. */
function greyImage(reading: Reading): Uint8Array | null {
  const url = reading.imageGrey;
  return url ? Buffer.from(url.slice(url.indexOf(',') + 1), 'base64') : null;
}

/**
 * A reading below this mean confidence (0–100) that still found some characters is tried again with the image turned
 * a quarter, a half and three quarters: a page lies turned on the desk when a phone photographs it (the photo's
 * orientation tag, which tesseract.js applies, says how the phone was held, not how the page lay), and read as it lies,
 * an ID number comes out as noise that no detector can find.
 * A turned reading replaces it only when it is confident itself (as confident as an upright one that is not retried)
 * and clearly more so (TURN_MARGIN): upright text reads at ≈ 85–90, the same text turned at 8–32, a photo without
 * text at ≈ 0–35 with a character or two — but one thin line of drawn digits reads right at 11, and turned, as
 * noise, at 59 (bench:attachments-ocr, test/knowledge/ocr.test.ts).
 */
export const TURN_BELOW_CONFIDENCE = 60;
const TURN_MARGIN = 15;
const TURN_MIN_CHARACTERS = 4;
const TURNS: readonly Orientation[] = [6, 3, 8];

/**
 * The turns worth trying for an image of this size: a line of text lying wide (a strip 4 times wider than tall) can only
 * be upside down, one standing tall only sideways; a page may be either (each try is a full OCR run).
 */
function turnsFor(size: { width: number; height: number } | null): readonly Orientation[] {
  if (size === null) return TURNS;
  if (size.width > 4 * size.height) return [3];
  if (size.height > 4 * size.width) return [6, 8];
  return TURNS;
}

/**
 * OCR with tesseract.js (WebAssembly core from the npm package tesseract.js-core) and the chi_sim traineddata
 * from the npm package @tesseract.js-data/chi_sim (its 4.0.0_best_int model, which also reads Latin letters
 * and digits). Nothing is downloaded at run time: `langPath` is a local folder (tesseract.js reads a local path
 * with fs, and only fetches when langPath is unset or a URL), `cacheMethod: 'none'` neither reads nor writes a
 * cache, and in Node the core is `require`d from node_modules. Returns null when either package is missing:
 * scans and images then get status `no_text_layer`. `enlarge`: where small type is enlarged (default: on this thread).
 */
export async function createOcr(opts: { enlarge?: (png: Uint8Array) => Promise<Uint8Array | null> } = {}): Promise<OcrEngine | null> {
  const enlarge = opts.enlarge ?? (async (png: Uint8Array) => enlargedPng(png));
  let tesseract: { createWorker: (lang: string, oem: number, opts: Record<string, unknown>) => Promise<TesseractWorker> };
  let langPath: string;
  try {
    const require = createRequire(import.meta.url);
    langPath = join(dirname(require.resolve('@tesseract.js-data/chi_sim/package.json')), '4.0.0_best_int');
    if (!existsSync(join(langPath, 'chi_sim.traineddata.gz'))) return null;
    require.resolve('tesseract.js-core/package.json');
    const name = 'tesseract.js';
    tesseract = (await import(name)) as typeof tesseract;
  } catch {
    return null;
  }
  let worker: Promise<TesseractWorker> | undefined;
  const ocr = async (image: Uint8Array) => {
    worker ??= tesseract.createWorker('chi_sim', 1, { langPath, cacheMethod: 'none', gzip: true, errorHandler: () => {} });
    const w = await worker;
    let { data } = await w.recognize(image, {}, FIRST_READING);
    const height = medianLineHeight(data);
    if (height !== null && height <= SMALL_TYPE_LINE_HEIGHT) {
      const grey = greyImage(data);
      const larger = grey && await enlarge(grey).catch(() => null);
      const reading = larger && (await w.recognize(larger)).data;
      // Both readings are kept, the more confident first: either may read a digit the other misreads.
      if (reading) {
        const [first, second] = reading.confidence >= data.confidence ? [reading, data] : [data, reading];
        data = { text: first.text.trim() === second.text.trim() ? first.text : `${first.text}\n${second.text}`, confidence: first.confidence };
      }
    }
    if (data.confidence < TURN_BELOW_CONFIDENCE && data.text.replace(/\s+/g, '').length >= TURN_MIN_CHARACTERS) {
      let best = data;
      for (const o of turnsFor(imageSize(image))) {
        const turned = withOrientation(image, o);
        if (turned === null) break;
        const reading = (await w.recognize(turned)).data;
        if (reading.confidence > best.confidence) best = reading;
      }
      if (best.confidence >= TURN_BELOW_CONFIDENCE && best.confidence >= data.confidence + TURN_MARGIN) data = best;
    }
    // tesseract puts spaces between Chinese characters; remove them between CJK.
    return data.text.replace(/(?<=[\u3400-\u9fff，。、；：？！])[ \t]+|[ \t]+(?=[\u3400-\u9fff，。、；：？！])/g, '');
  };
  return Object.assign(ocr, {
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await (await w).terminate();
    },
  });
}
