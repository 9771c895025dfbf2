import { IngestLimitError, type IngestLimits } from './limits.ts';

/**
 * The pages of a multi-page TIFF after the first, each as a TIFF of its own: office scanners and fax servers write a
 * scanned document as one TIFF of many pages, and OCR (tesseract) reads only the first. A page is the same file with
 * the header pointing at that page's directory (IFD) and the directory's link to the next one cut, so nothing is
 * decoded here and every compression the OCR reads (CCITT G4, LZW, JPEG, Deflate, PackBits) reads as before.
 * Bounded: at most `maxPictures` pages beyond the first, and their copies within `limits.maxTotalBytes`
 * (IngestLimitError beyond: the file is unread, and the department's policy decides, rather than half-read).
 * A directory chain that loops or points outside the file ends the pages there.
 */
export function laterTiffPages(b: Uint8Array, limits: IngestLimits, maxPictures: number): Uint8Array[] {
  const little = b[0] === 0x49 && b[1] === 0x49;
  if (!little && !(b[0] === 0x4d && b[1] === 0x4d)) return [];
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 8 || view.getUint16(2, little) !== 42) return []; // BigTIFF (43) is not read as pages
  const directories = chain(view, little);
  const pages: Uint8Array[] = [];
  for (const ifd of directories.slice(1)) {
    if (pages.length >= maxPictures) throw new IngestLimitError(`the TIFF has more than ${maxPictures + 1} pages`);
    if ((pages.length + 1) * b.length > limits.maxTotalBytes) {
      throw new IngestLimitError(`the TIFF's ${directories.length} pages of ${b.length.toLocaleString('en')} bytes are too many to read apart`);
    }
    const page = new Uint8Array(b);
    const pageView = new DataView(page.buffer);
    pageView.setUint32(4, ifd, little);
    pageView.setUint32(ifd + 2 + 12 * pageView.getUint16(ifd, little), 0, little);
    pages.push(page);
  }
  return pages;
}

/** The offsets of the file's directories, first to last. */
function chain(view: DataView, little: boolean): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (let ifd = view.getUint32(4, little); ifd !== 0 && !seen.has(ifd); ) {
    if (ifd + 2 > view.byteLength) break;
    const next = ifd + 2 + 12 * view.getUint16(ifd, little);
    if (next + 4 > view.byteLength) break;
    seen.add(ifd);
    out.push(ifd);
    ifd = view.getUint32(next, little);
  }
  return out;
}
