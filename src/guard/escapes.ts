/**
 * Escaped text as pasted logs, URLs, JSON, Python bytes, HTML and mail carry it, decoded one escape at a time for
 * normalization (normalize.ts): \u5f20, %E5%BC%A0 (%40, %u5F20, and GBK's %D5%C5 where the bytes are no UTF-8),
 * \xe5\xbc\xa0, &#24352; &#x5F20;, quoted-printable =E5=BC=A0, and a mail header's encoded words (=?UTF-8?B?5byg5LiJ?=).
 * Broken or invalid escapes (%zz, \u00, the overlong %C0%80, a surrogate half) decode to nothing.
 */
/** The value of each hex digit (ASCII), or -1; blobs.ts reads hex blobs by it too. */
export const HEX = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) HEX[48 + d] = d;
for (let d = 0; d < 6; d++) HEX[65 + d] = HEX[97 + d] = 10 + d;

/** The value of the `digits` hex digits at text[i], or -1. */
function hexAt(text: string, i: number, digits: number): number {
  if (i + digits > text.length) return -1;
  let v = 0;
  for (let k = 0; k < digits; k++) {
    const c = text.charCodeAt(i + k);
    const h = c < 128 ? HEX[c] : -1;
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/** What decodeEscape decoded last: the code point, or -1 when it decoded a whole text (a mail header's encoded word). */
export const decoded = { codePoint: 0, text: '' };

const GBK = new TextDecoder('gbk');

/**
 * A character of GBK written as two %XX bytes (legacy Chinese sites: %D5%C5 = 张) at text[i], where the bytes are no
 * UTF-8: its length, with the code point in decoded.codePoint, or 0.
 */
function gbkEscapeAt(text: string, i: number, lead: number): number {
  if (lead < 0x81 || lead > 0xfe || text.charCodeAt(i + 3) !== 37 /* % */) return 0;
  const trail = hexAt(text, i + 4, 2);
  if (trail < 0x40 || trail > 0xfe || trail === 0x7f) return 0;
  const ch = GBK.decode(new Uint8Array([lead, trail]));
  if (ch.length !== 1 || ch === '\ufffd') return 0;
  decoded.codePoint = ch.charCodeAt(0);
  return 6;
}

const ENCODED_WORD = /=\?([A-Za-z0-9_-]{1,24})\?([BbQq])\?([^?\s]{1,1000})\?=/y;
const DECODERS = new Map<string, TextDecoder>();

/**
 * A mail header's encoded word (=?UTF-8?B?5byg5LiJ?=, =?gb2312?Q?=D5=C5?=) at text[i]: its length, with the text in
 * decoded.text, or 0.
 */
function encodedWordAt(text: string, i: number): number {
  ENCODED_WORD.lastIndex = i;
  const m = ENCODED_WORD.exec(text);
  if (!m) return 0;
  const charset = m[1].toLowerCase();
  // Only the decoders that exist are kept: the labels TextDecoder knows are few, the names a hostile text may make up are not.
  let decoder = DECODERS.get(charset);
  if (decoder === undefined) {
    try { decoder = new TextDecoder(charset); } catch { return 0; }
    DECODERS.set(charset, decoder);
  }
  let bytes: Uint8Array;
  if ((m[2].charCodeAt(0) | 32) === 98 /* b */) bytes = Buffer.from(m[3], 'base64');
  else {
    const out: number[] = [];
    const q = m[3];
    for (let k = 0; k < q.length; k++) {
      const h = q.charCodeAt(k) === 61 ? hexAt(q, k + 1, 2) : -1;
      if (h >= 0) { out.push(h); k += 2; } else out.push(q.charCodeAt(k) === 95 ? 32 : q.charCodeAt(k));
    }
    bytes = Uint8Array.from(out);
  }
  decoded.text = decoder.decode(bytes);
  decoded.codePoint = -1;
  return decoded.text.length > 0 ? m[0].length : 0;
}

/**
 * A character spelled as UTF-8 bytes, each written `prefix` + two hex digits (%E5%BC%A0, \xe5\xbc\xa0, =E5=BC=A0) at
 * text[i]: its length in text, with the code point in decoded.codePoint, or 0. `ascii`: a single byte below 0x80 counts.
 */
function utf8EscapeAt(text: string, i: number, prefix: string, ascii: boolean): number {
  const step = prefix.length + 2;
  const lead = hexAt(text, i + prefix.length, 2);
  if (lead < 0) return 0;
  const length = utf8Length(text, i, prefix, ascii, step, lead);
  return length > 0 || prefix !== '%' ? length : gbkEscapeAt(text, i, lead);
}

function utf8Length(text: string, i: number, prefix: string, ascii: boolean, step: number, lead: number): number {
  if (lead < 0x80) {
    if (!ascii || lead < 0x20 || lead === 0x7f) return 0;
    decoded.codePoint = lead;
    return step;
  }
  const more = lead >= 0xf0 && lead <= 0xf4 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc2 && lead < 0xe0 ? 1 : -1;
  if (more < 0) return 0;
  let cp = lead & (0x3f >> more);
  for (let k = 1; k <= more; k++) {
    const at = i + k * step;
    if (!text.startsWith(prefix, at)) return 0;
    const b = hexAt(text, at + prefix.length, 2);
    if (b < 0x80 || b > 0xbf) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  // Overlong forms, surrogates and what lies beyond Unicode are no characters.
  if ((more === 2 && cp < 0x800) || (more === 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  decoded.codePoint = cp;
  return (more + 1) * step;
}

/** An escape at text[i] (which is \ % & or =): its length, with what it spells in `decoded`, or 0. */
export function decodeEscape(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
  if (c === 92) {
    if (next === 117 /* u */) {
      const v = hexAt(text, i + 2, 4);
      if (v < 0x20) return 0;
      decoded.codePoint = v;
      return 6;
    }
    return next === 120 /* x */ ? utf8EscapeAt(text, i, '\\x', false) : 0;
  }
  if (c === 37) {
    if (next === 117 || next === 85) {
      const v = hexAt(text, i + 2, 4);
      if (v < 0x80) return 0;
      decoded.codePoint = v;
      return 6;
    }
    return utf8EscapeAt(text, i, '%', true);
  }
  if (c === 61) return next === 63 /* ? */ ? encodedWordAt(text, i) : utf8EscapeAt(text, i, '=', false);
  // &#24352; &#x5F20;
  if (next !== 35 /* # */) return 0;
  const x = i + 2 < text.length && (text.charCodeAt(i + 2) | 32) === 120;
  let p = i + (x ? 3 : 2);
  let v = 0;
  const from = p;
  for (; p < text.length && p - from < 7; p++) {
    const d = text.charCodeAt(p);
    const h = d < 128 ? HEX[d] : -1;
    if (h < 0 || (!x && h > 9)) break;
    v = v * (x ? 16 : 10) + h;
  }
  if (p === from || text.charCodeAt(p) !== 59 /* ; */ || v < 0x20 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  decoded.codePoint = v;
  return p + 1 - i;
}

