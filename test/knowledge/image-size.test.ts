import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from '../../src/knowledge/index.ts';
import { imageSize } from '../../src/knowledge/ingest/image-size.ts';
import { IngestLimitError } from '../../src/knowledge/ingest/limits.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';

const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u16le = (n: number) => [n & 255, (n >>> 8) & 255];
const u32le = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const bytes = (...parts: Array<number[] | string>) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

/** A PNG signature and IHDR that declare a size, with nothing after them: what a bomb's header looks like. */
const pngHeader = (w: number, h: number) => bytes([0x89], 'PNG\r\n\x1a\n', u32be(13), 'IHDR', u32be(w), u32be(h), [8, 0, 0, 0, 0]);

test('the size an image declares, from its header: PNG, JPEG, BMP, WebP, TIFF', () => {
  assert.deepEqual(imageSize(encodePng({ width: 7, height: 3, channels: 1, data: new Uint8Array(21) })), { width: 7, height: 3 });
  // JPEG: SOI, an APP0 segment, then SOF0 with height 480 and width 640.
  const jpeg = bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], 'JFIF\0', Array(9).fill(0), [0xff, 0xc0, 0, 17, 8, 0x01, 0xe0, 0x02, 0x80, 3]);
  assert.deepEqual(imageSize(jpeg), { width: 640, height: 480 });
  assert.deepEqual(imageSize(bytes('BM', Array(16).fill(0), u32le(1024), u32le(-768 >>> 0))), { width: 1024, height: 768 });
  assert.deepEqual(imageSize(bytes('RIFF', u32le(0), 'WEBPVP8X', u32le(10), Array(4).fill(0), [0x3f, 0x1f, 0], [0xff, 0x0f, 0])), { width: 8000, height: 4096 });
  assert.deepEqual(imageSize(bytes('II', u16le(42), u32le(8), u16le(2), u16le(256), u16le(3), u32le(1), u16le(2480), [0, 0], u16le(257), u16le(4), u32le(1), u32le(3508))),
    { width: 2480, height: 3508 });
  assert.deepEqual(imageSize(bytes('MM', [0, 42], u32be(8), [0, 1], [1, 0], [0, 4], u32be(1), u32be(5000))), null, 'no height: no size');
});

test('hostile: a header declaring gigapixels, or no size at all, never reaches OCR', async () => {
  let calls = 0;
  const ocr = async () => { calls++; return '手机13800138000'; };
  await assert.rejects(parseDocument('bomb.png', pngHeader(30_000, 30_000), { ocr }), (e: Error) => e instanceof IngestLimitError && /30000 × 30000/.test(e.message));
  await assert.rejects(parseDocument('cut.png', pngHeader(10, 10).subarray(0, 18), { ocr }), IngestLimitError);
  await assert.rejects(parseDocument('odd.jpg', bytes([0xff, 0xd8, 0xff, 0xd9]), { ocr }), IngestLimitError);
  assert.equal(calls, 0);
  // A photo of 12 megapixels is read.
  const ok = await parseDocument('photo.png', pngHeader(4000, 3000), { ocr });
  assert.equal(calls, 1);
  assert.equal(ok.status, 'ready');
});
