import { inflateRawSync } from 'node:zlib';
import { DEFAULT_INGEST_LIMITS, IngestLimitError, type IngestLimits } from './limits.ts';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const RATIO_FLOOR = 1024 * 1024;

/**
 * Reads the entries of a zip archive that `wanted` selects, and no others, under `limits`: the entry count,
 * each entry's and the archive's total uncompressed size (enforced while inflating, whatever sizes the
 * archive declares) and the compression ratio. Stored and deflated entries; no ZIP64, no encryption.
 */
export function readZip(bytes: Uint8Array, wanted: (name: string) => boolean, limits: IngestLimits = DEFAULT_INGEST_LIMITS): Map<string, Uint8Array> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  if (count > limits.maxEntries) throw new IngestLimitError(`the archive has ${count} entries (at most ${limits.maxEntries})`);
  let at = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Uint8Array>();
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL) throw new Error('corrupt zip archive (central directory)');
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const skip = nameLen + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString((flags & 0x800) ? 'utf8' : 'latin1', at + 46, at + 46 + nameLen);
    at += 46 + skip;
    if (!wanted(name) || name.endsWith('/')) continue;
    if (flags & 1) throw new Error(`encrypted zip entry: ${name}`);
    if (compressed === 0xffffffff || local === 0xffffffff) throw new IngestLimitError(`ZIP64 entry ${name} is not supported`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) throw new Error(`corrupt zip archive (entry ${name})`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + compressed);
    const room = Math.min(limits.maxEntryBytes, limits.maxTotalBytes - total);
    let content: Uint8Array;
    if (method === 0) {
      if (data.length > room) throw new IngestLimitError(`entry ${name} is larger than ${room} bytes`);
      content = data;
    } else if (method === 8) {
      try {
        content = inflateRawSync(data, { maxOutputLength: Math.max(1, room) });
      } catch (err) {
        if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new IngestLimitError(`entry ${name} inflates past ${room} bytes (per entry ${limits.maxEntryBytes}, per archive ${limits.maxTotalBytes})`);
        }
        throw new Error(`corrupt zip entry ${name}: ${(err as Error).message}`);
      }
    } else {
      throw new Error(`zip entry ${name} uses unsupported compression method ${method}`);
    }
    if (content.length > RATIO_FLOOR && content.length / Math.max(1, compressed) > limits.maxRatio) {
      throw new IngestLimitError(`entry ${name} expands ${Math.round(content.length / Math.max(1, compressed))}× (at most ${limits.maxRatio}×)`);
    }
    total += content.length;
    out.set(name, content);
  }
  return out;
}
