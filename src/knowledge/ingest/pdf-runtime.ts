/**
 * pdf.js (in unpdf) serializes font information with `ArrayBuffer.prototype.transferToFixedLength` (ES2024: Node ≥ 21).
 * On Node 20 it is missing, and pdf.js drops the rest of a page's operator list at its first font, and with it the
 * images drawn after the text: a report's pasted photo of an ID card was never seen. This adds the method where it is
 * missing — a copy of the bytes into a buffer of the new length (the original is not detached, which pdf.js does not
 * rely on). Imported for its effect by every module that runs pdf.js.
 */
if (typeof (ArrayBuffer.prototype as { transferToFixedLength?: unknown }).transferToFixedLength !== 'function') {
  Object.defineProperty(ArrayBuffer.prototype, 'transferToFixedLength', {
    configurable: true,
    writable: true,
    value(this: ArrayBuffer, length: number = this.byteLength): ArrayBuffer {
      const out = new ArrayBuffer(length);
      new Uint8Array(out).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
      return out;
    },
  });
}
