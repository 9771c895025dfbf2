import { pngChunk, withChunksAfterHeader } from './ingest/png.ts';

/** EXIF orientations: 3 turns an image half round, 6 a quarter clockwise, 8 three quarters (a quarter anticlockwise). */
export type Orientation = 3 | 6 | 8;

/**
 * A TIFF header (big-endian) with one IFD entry: Orientation (tag 0x0112, SHORT, count 1) = o. tesseract.js reads an
 * image's orientation from this entry in its first 500 bytes and turns the whole image by it before recognition,
 * keeping all of it (its rotateRadians option turns the image inside its own frame, which cuts off the sides of a
 * page that is not square).
 */
function exifOrientation(o: Orientation): Buffer {
  return Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0]);
}

/**
 * The same image with an EXIF orientation placed before any other (PNG: an eXIf chunk after IHDR; JPEG: an APP1 Exif
 * segment after SOI), so that OCR reads it turned; null for another format. The pixels are not touched.
 */
export function withOrientation(image: Uint8Array, o: Orientation): Buffer | null {
  const png = withChunksAfterHeader(image, [pngChunk('eXIf', exifOrientation(o))]);
  if (png !== null) return png;
  const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  if (bytes.length > 2 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifOrientation(o)]);
    const header = Buffer.from([0xff, 0xe1, 0, 0]);
    header.writeUInt16BE(payload.length + 2, 2);
    return Buffer.concat([bytes.subarray(0, 2), header, payload, bytes.subarray(2)]);
  }
  return null;
}
