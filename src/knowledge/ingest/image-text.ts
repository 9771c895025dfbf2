import { inflateSync } from 'node:zlib';
import { isPng, pngChunks } from './png.ts';

/**
 * The text an image file carries besides its pixels, which leaves with it: EXIF's description, artist, copyright,
 * camera owner and user comment, the Windows properties Explorer writes (XPAuthor, XPComment, XPKeywords, XPSubject,
 * XPTitle, in UTF-16), an XMP packet's text, and PNG's text chunks (tEXt, zTXt, iTXt). Read from JPEG, PNG and WebP
 * headers without decoding a pixel; '' for anything else. Where the photo was taken (EXIF's GPS, XMP's
 * exif:GPSLatitude/GPSLongitude) is given as a line `GPS <latitude>, <longitude>` in decimal degrees, which the guard
 * reads as an address (detectors/coordinates.ts).
 */
export function imageText(b: Uint8Array): string {
  const out: string[] = [];
  try {
    if (b[0] === 0xff && b[1] === 0xd8) jpeg(b, out);
    else if (isPng(b)) png(b, out);
    else if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') webp(b, out);
  } catch {
    // A header cut short: what was read before it stands.
  }
  return out.filter((t) => t.trim()).join('\n');
}

const ascii = (b: Uint8Array, at: number, n: number): string => Buffer.from(b.subarray(at, at + n)).toString('latin1');
const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8').replace(/\0+$/, '');
const EXIF_HEADER = 'Exif\0\0';
const XMP_HEADER = 'http://ns.adobe.com/xap/1.0/\0';
/** XMP writes a GPS coordinate as "DDD,MM.mmmmK" or "DDD,MM,SSK", as an attribute or an element. */
const XMP_LATITUDE = /GPSLatitude(?:="|>)\s*(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NS])/;
const XMP_LONGITUDE = /GPSLongitude(?:="|>)\s*(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([EW])/;

/** Text of an XMP packet: its text nodes and the values of rdf:li, and where the photo was taken. */
function xmpText(b: Uint8Array): string {
  const packet = utf8(b);
  const lines = [...packet.matchAll(/>([^<]+)</g)].map((m) => m[1].trim()).filter(Boolean);
  const angle = (pattern: RegExp): number | null => {
    const m = pattern.exec(packet);
    if (m === null) return null;
    const degrees = Number(m[1]) + Number(m[2]) / 60 + Number(m[3] ?? 0) / 3600;
    return m[4] === 'S' || m[4] === 'W' ? -degrees : degrees;
  };
  const gps = gpsLine(angle(XMP_LATITUDE), angle(XMP_LONGITUDE));
  return [...lines, ...(gps ? [gps] : [])].join('\n');
}

/** The line that says where a photo was taken, or null when either half is missing or out of range. */
function gpsLine(lat: number | null, lon: number | null): string | null {
  if (lat === null || lon === null || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return `GPS ${lat.toFixed(6)}, ${lon.toFixed(6)}`;
}

function jpeg(b: Uint8Array, out: string[]): void {
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff) {
    const marker = b[i + 1];
    if (marker === 0xda || marker === 0xd9) return; // the pixels start: no metadata after them
    const length = (b[i + 2] << 8) | b[i + 3];
    const data = b.subarray(i + 4, i + 2 + length);
    if (marker === 0xe1 && ascii(data, 0, 6) === EXIF_HEADER) tiff(data.subarray(6), out);
    else if (marker === 0xe1 && ascii(data, 0, XMP_HEADER.length) === XMP_HEADER) out.push(xmpText(data.subarray(XMP_HEADER.length)));
    else if (marker === 0xfe) out.push(utf8(data)); // COM: a comment
    i += 2 + length;
  }
}

function png(b: Uint8Array, out: string[]): void {
  for (const { type, data } of pngChunks(b)) {
    if (type === 'IDAT' || type === 'IEND') return;
    const nul = data.indexOf(0);
    if (type === 'tEXt' && nul >= 0) out.push(Buffer.from(data.subarray(nul + 1)).toString('latin1'));
    else if (type === 'zTXt' && nul >= 0) out.push(Buffer.from(inflateSync(data.subarray(nul + 2), { maxOutputLength: 1 << 20 })).toString('latin1'));
    else if (type === 'iTXt' && nul >= 0) {
      const compressed = data[nul + 1] === 1;
      let at = data.indexOf(0, nul + 3) + 1; // after the language tag
      at = data.indexOf(0, at) + 1; // after the translated keyword
      const text = data.subarray(at);
      out.push(utf8(compressed ? inflateSync(text, { maxOutputLength: 1 << 20 }) : text));
    } else if (type === 'eXIf') tiff(data, out);
  }
}

function webp(b: Uint8Array, out: string[]): void {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 12; i + 8 <= b.length;) {
    const type = ascii(b, i, 4);
    const length = view.getUint32(i + 4, true);
    const data = b.subarray(i + 8, i + 8 + length);
    if (type === 'EXIF') tiff(ascii(data, 0, 6) === EXIF_HEADER ? data.subarray(6) : data, out);
    else if (type === 'XMP ') out.push(xmpText(data));
    i += 8 + length + (length & 1);
  }
}

/** EXIF tags of text: in IFD0, and in the Exif IFD that 0x8769 points to. */
const ASCII_TAGS = new Set([0x010e, 0x013b, 0x8298, 0xa430]); // ImageDescription, Artist, Copyright, CameraOwnerName
const XP_TAGS = new Set([0x9c9b, 0x9c9c, 0x9c9d, 0x9c9e, 0x9c9f]); // XPTitle, XPComment, XPAuthor, XPKeywords, XPSubject
const USER_COMMENT = 0x9286;
const EXIF_IFD = 0x8769;
const GPS_IFD = 0x8825;
/** In the GPS IFD: the hemisphere of the latitude (N/S), the latitude (three rationals), the same for the longitude (E/W). */
const GPS_LAT_REF = 1;
const GPS_LAT = 2;
const GPS_LON_REF = 3;
const GPS_LON = 4;

/** A TIFF structure (EXIF's), its IFD0 and Exif IFD. */
function tiff(t: Uint8Array, out: string[]): void {
  const view = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const little = t[0] === 0x49;
  const ifds = [view.getUint32(4, little)];
  for (let k = 0; k < ifds.length && k < 2; k++) {
    const ifd = ifds[k];
    const count = view.getUint16(ifd, little);
    for (let e = 0; e < count && e < 500; e++) {
      const at = ifd + 2 + 12 * e;
      const tag = view.getUint16(at, little);
      const n = view.getUint32(at + 4, little);
      if (tag === EXIF_IFD) { ifds.push(view.getUint32(at + 8, little)); continue; }
      if (tag === GPS_IFD && k === 0) {
        // A broken GPS directory must not end the reading: the Windows properties come after it in tag order.
        try { gps(t, view, little, view.getUint32(at + 8, little), out); } catch { /* no line */ }
        continue;
      }
      if (!ASCII_TAGS.has(tag) && !XP_TAGS.has(tag) && tag !== USER_COMMENT) continue;
      const value = n <= 4 ? t.subarray(at + 8, at + 8 + n) : t.subarray(view.getUint32(at + 8, little), view.getUint32(at + 8, little) + n);
      if (XP_TAGS.has(tag)) out.push(Buffer.from(value).toString('utf16le').replace(/\0+$/, ''));
      else if (tag === USER_COMMENT) {
        const code = ascii(value, 0, 8);
        const text = value.subarray(8);
        const wide = Buffer.from(text);
        out.push(code.startsWith('UNICODE') ? (little ? wide : wide.swap16()).toString('utf16le').replace(/\0+$/, '') : utf8(text));
      } else out.push(utf8(value)); // ASCII by the standard; UTF-8 as Chinese software writes it
    }
  }
}

/** The GPS IFD at `ifd`: latitude and longitude as degrees, minutes and seconds (rationals) with their hemispheres. */
function gps(t: Uint8Array, view: DataView, little: boolean, ifd: number, out: string[]): void {
  const count = view.getUint16(ifd, little);
  let latRef = '';
  let lonRef = '';
  let lat: number | null = null;
  let lon: number | null = null;
  const angle = (offset: number): number => {
    const rational = (i: number): number => view.getUint32(offset + 8 * i, little) / view.getUint32(offset + 8 * i + 4, little);
    return rational(0) + rational(1) / 60 + rational(2) / 3600;
  };
  for (let e = 0; e < count && e < 64; e++) {
    const at = ifd + 2 + 12 * e;
    const tag = view.getUint16(at, little);
    if (tag === GPS_LAT_REF) latRef = ascii(t, at + 8, 1);
    else if (tag === GPS_LON_REF) lonRef = ascii(t, at + 8, 1);
    else if (tag === GPS_LAT) lat = angle(view.getUint32(at + 8, little));
    else if (tag === GPS_LON) lon = angle(view.getUint32(at + 8, little));
  }
  const line = gpsLine(lat === null ? null : latRef === 'S' ? -lat : lat, lon === null ? null : lonRef === 'W' ? -lon : lon);
  if (line !== null) out.push(line);
}
