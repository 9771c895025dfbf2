import { constants, inflateSync } from 'node:zlib';
import { DEFAULT_INGEST_LIMITS, IngestLimitError, type IngestLimits } from './limits.ts';
import { decodeEntities } from './html.ts';

/** A stream of a PDF file as it lies in the bytes: its dictionary and where its data starts and ends. */
interface RawStream { dict: string; start: number; end: number }

/** The streams of a PDF, found by their keywords (what lies in object streams or is encrypted is not told apart). */
function* rawStreams(buf: Buffer): Generator<RawStream> {
  let pos = 0;
  while ((pos = buf.indexOf('stream', pos, 'latin1')) >= 0) {
    if (pos >= 3 && buf.toString('latin1', pos - 3, pos) === 'end') { pos += 6; continue; }
    let start = pos + 6;
    if (buf[start] === 0x0d) start++;
    if (buf[start] === 0x0a) start++;
    const end = buf.indexOf('endstream', start, 'latin1');
    if (end < 0) return;
    const head = buf.toString('latin1', Math.max(0, pos - 1024), pos);
    yield { dict: head.slice(head.lastIndexOf('<<')), start, end };
    pos = end + 9;
  }
}

const FLATE = /\/(FlateDecode|Fl)\b/;
/** Streams that hold no XML packet: images, font files, object and cross-reference streams, forms drawn on pages. */
const NOT_XML = /\/Subtype\s*\/Image|\/Length[123]\b|\/Type\s*\/(?:ObjStm|XRef|XObject)/;

/**
 * Before pdf.js sees a PDF: inflates each Flate stream with a cap on its output, so that a small file
 * holding a stream of hundreds of megabytes is refused without ever being decoded in full.
 */
export function checkPdfStreams(bytes: Uint8Array, limits: IngestLimits = DEFAULT_INGEST_LIMITS): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  for (const s of rawStreams(buf)) {
    if (!FLATE.test(s.dict)) continue;
    const room = Math.min(limits.maxPdfStreamBytes, limits.maxPdfDecodedBytes - total);
    try {
      total += inflateSync(buf.subarray(s.start, s.end), { maxOutputLength: Math.max(1, room), finishFlush: constants.Z_SYNC_FLUSH }).length;
    } catch (err) {
      if (err instanceof RangeError) throw new IngestLimitError(`a PDF stream decodes past ${room} bytes (per stream ${limits.maxPdfStreamBytes}, per file ${limits.maxPdfDecodedBytes})`);
      // A damaged stream is pdf.js's to tolerate or report.
    }
  }
}

/**
 * The values filled into an XFA form (Adobe LiveCycle forms, many official ones): a dynamic XFA form keeps them only in
 * its `datasets` packet, an XML stream that pdf.js shows no text or annotation of (its pages say "Please wait…"), yet
 * the file leaves with them. Each element of the packet's data that holds text is given as `name：value`. Streams are
 * read under the same caps as checkPdfStreams (run first).
 */
export function xfaValues(bytes: Uint8Array, limits: IngestLimits = DEFAULT_INGEST_LIMITS): string[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The form's dictionary says /XFA — unless it lies compressed in an object stream, which most recent PDFs have.
  if (buf.indexOf('/XFA', 0, 'latin1') < 0 && buf.indexOf('/ObjStm', 0, 'latin1') < 0) return [];
  const out: string[] = [];
  for (const s of rawStreams(buf)) {
    if (NOT_XML.test(s.dict)) continue;
    let data: Buffer;
    try {
      data = FLATE.test(s.dict)
        ? inflateSync(buf.subarray(s.start, s.end), { maxOutputLength: limits.maxPdfStreamBytes, finishFlush: constants.Z_SYNC_FLUSH })
        : buf.subarray(s.start, s.end);
    } catch {
      continue;
    }
    const start = data.indexOf('<xfa:datasets');
    if (start < 0) continue;
    for (const m of data.toString('utf8', start).matchAll(/<([\p{L}_][\p{L}\p{N}_.-]*)(?:\s[^>]*)?>([^<]+)<\/\1>/gu)) {
      const value = m[2].trim();
      if (value !== '') out.push(`${m[1]}：${decodeEntities(value)}`);
    }
  }
  return out;
}
