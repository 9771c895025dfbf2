import { constants, inflateSync } from 'node:zlib';
import { DEFAULT_INGEST_LIMITS, IngestLimitError, type IngestLimits } from './limits.ts';

/**
 * Before pdf.js sees a PDF: inflates each Flate stream with a cap on its output, so that a small file
 * holding a stream of hundreds of megabytes is refused without ever being decoded in full.
 */
export function checkPdfStreams(bytes: Uint8Array, limits: IngestLimits = DEFAULT_INGEST_LIMITS): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  let pos = 0;
  while ((pos = buf.indexOf('stream', pos, 'latin1')) >= 0) {
    if (pos >= 3 && buf.toString('latin1', pos - 3, pos) === 'end') { pos += 6; continue; }
    let start = pos + 6;
    if (buf[start] === 0x0d) start++;
    if (buf[start] === 0x0a) start++;
    const end = buf.indexOf('endstream', start, 'latin1');
    if (end < 0) break;
    const head = buf.toString('latin1', Math.max(0, pos - 1024), pos);
    const dict = head.slice(head.lastIndexOf('<<'));
    if (/\/(FlateDecode|Fl)\b/.test(dict)) {
      const room = Math.min(limits.maxPdfStreamBytes, limits.maxPdfDecodedBytes - total);
      try {
        total += inflateSync(buf.subarray(start, end), { maxOutputLength: Math.max(1, room), finishFlush: constants.Z_SYNC_FLUSH }).length;
      } catch (err) {
        if (err instanceof RangeError) throw new IngestLimitError(`a PDF stream decodes past ${room} bytes (per stream ${limits.maxPdfStreamBytes}, per file ${limits.maxPdfDecodedBytes})`);
        // A damaged stream is pdf.js's to tolerate or report.
      }
    }
    pos = end + 9;
  }
}
