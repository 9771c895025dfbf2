import './pdf-runtime.ts';
import { extractImages, getDocumentProxy } from 'unpdf';
import { checkImagePixels, imageSize } from './image-size.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.ts';
import { checkPdfStreams } from './pdf-limits.ts';
import { encodePng } from './png.ts';
import { readZip } from './zip.ts';

/** Images smaller than this (pixels) are logos, bullets and rules, not a photographed or pasted page. */
export const MIN_PICTURE_PIXELS = 2_000;
/** Pictures read from one document at most: a report with a thousand icons must not hold the reader. */
export const MAX_PICTURES = 32;

/** Where an Office or OFD file keeps the pictures pasted into it. */
const MEDIA = /^(?:word|ppt|xl)\/media\/[^/]+\.(?:png|jpe?g)$|(?:^|\/)Res\/[^/]+\.(?:png|jpe?g)$/i;

/**
 * The pictures inside a document that has a text layer — a PDF page's images, the media of a docx, pptx, xlsx or OFD
 * file — encoded (PNG or JPEG) for OCR: a report pasted with a photographed ID card or a screenshot of a spreadsheet
 * holds in its pictures what its text layer does not say. Small ones (logos) are skipped; each picture's declared size
 * is checked before it is decoded or read (image-size.ts).
 */
export async function embeddedPictures(format: string, bytes: Uint8Array, limits: IngestLimits = DEFAULT_INGEST_LIMITS): Promise<Uint8Array[]> {
  if (format === 'pdf') return pdfPictures(bytes, limits);
  if (format !== 'docx' && format !== 'pptx' && format !== 'xlsx' && format !== 'ofd') return [];
  const out: Uint8Array[] = [];
  for (const picture of readZip(bytes, (name) => MEDIA.test(name), limits).values()) {
    const size = imageSize(picture);
    if (size === null || size.width * size.height < MIN_PICTURE_PIXELS) continue;
    checkImagePixels(size, limits);
    out.push(picture);
    if (out.length === MAX_PICTURES) break;
  }
  return out;
}

async function pdfPictures(bytes: Uint8Array, limits: IngestLimits): Promise<Uint8Array[]> {
  checkPdfStreams(bytes, limits);
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 } as never);
  const out: Uint8Array[] = [];
  try {
    for (let page = 1; page <= Math.min(pdf.numPages, limits.maxPdfPages) && out.length < MAX_PICTURES; page++) {
      for (const img of await extractImages(pdf, page)) {
        if (img.width * img.height < MIN_PICTURE_PIXELS) continue;
        checkImagePixels(img, limits);
        out.push(encodePng(img));
        if (out.length === MAX_PICTURES) break;
      }
    }
  } finally {
    await pdf.destroy();
  }
  return out;
}
