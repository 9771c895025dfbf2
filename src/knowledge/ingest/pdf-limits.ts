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
/** Unfiltered streams that hold no XML packet: images, font files, object and cross-reference streams, drawn forms. */
const NOT_XML = /\/Subtype\s*\/Image|\/Length[123]\b|\/Type\s*\/(?:ObjStm|XRef|XObject)/;

/**
 * Before pdf.js sees a PDF: inflates each Flate stream with a cap on its output, so that a small file
 * holding a stream of hundreds of megabytes is refused without ever being decoded in full.
 * Returns, found on the way, the values filled into an XFA form (Adobe LiveCycle forms, many official ones): a dynamic
 * XFA form keeps them only in its `datasets` packet, an XML stream that pdf.js shows no text or annotation of (its
 * pages say "Please wait…"), yet the file leaves with them. Each element of the packet's data that holds text is given
 * as `name：value`.
 */
export function checkPdfStreams(bytes: Uint8Array, limits: IngestLimits = DEFAULT_INGEST_LIMITS): string[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const xfa: string[] = [];
  let total = 0;
  for (const s of rawStreams(buf)) {
    let data: Buffer | null = null;
    if (FLATE.test(s.dict)) {
      const room = Math.min(limits.maxPdfStreamBytes, limits.maxPdfDecodedBytes - total);
      try {
        data = inflateSync(buf.subarray(s.start, s.end), { maxOutputLength: Math.max(1, room), finishFlush: constants.Z_SYNC_FLUSH });
        total += data.length;
      } catch (err) {
        if (err instanceof RangeError) throw new IngestLimitError(`a PDF stream decodes past ${room} bytes (per stream ${limits.maxPdfStreamBytes}, per file ${limits.maxPdfDecodedBytes})`);
        // A damaged stream is pdf.js's to tolerate or report.
      }
    } else if (!NOT_XML.test(s.dict)) data = buf.subarray(s.start, s.end);
    const at = data?.indexOf('<xfa:datasets') ?? -1;
    if (at >= 0) xfa.push(...datasetValues(data!.toString('utf8', at)));
  }
  return xfa;
}

/** Each element of an XFA datasets packet that holds text, as `name：value`. */
function datasetValues(xml: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(/<([\p{L}_][\p{L}\p{N}_.-]*)(?:\s[^>]*)?>([^<]+)<\/\1>/gu)) {
    const value = m[2].trim();
    if (value !== '') out.push(`${m[1]}：${decodeEntities(value)}`);
  }
  return out;
}
