import { crc32, deflateSync } from 'node:zlib';

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
