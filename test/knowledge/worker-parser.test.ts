import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkerParser, parseDocument } from '../../src/knowledge/index.ts';
import { digitsBitmap, outlinedPdf, pdf, scannedPdf } from './fixtures.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';
import { imageSize } from '../../src/knowledge/ingest/image-size.ts';

const PNG = [0x89, 0x50, 0x4e, 0x47];

/** An OCR stand-in: reads a PNG's size from its header, so each page's picture is told from the others. */
function sizeReader(seen: string[] = []) {
  return async (image: Uint8Array): Promise<string> => {
    assert.deepEqual([...image.subarray(0, 4)], PNG);
    const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const size = `${view.getUint32(16)}x${view.getUint32(20)}`;
    seen.push(size);
    return `第${seen.length}页 ${size}`;
  };
}

describe('the parsing worker and OCR of scanned PDFs', () => {
  it('reads a scan page by page, the pictures decoded in the worker, as parseDocument does in one thread', async () => {
    const scan = scannedPdf([digitsBitmap('12'), digitsBitmap('3456'), digitsBitmap('78901234')]);
    const parser = createWorkerParser();
    try {
      const seen: string[] = [];
      const doc = await parser.parse('scan.pdf', scan, { ocr: sizeReader(seen) });
      assert.equal(doc.status, 'ready');
      assert.equal(doc.pages, 3);
      assert.equal(doc.metadata.ocr, 'tesseract chi_sim');
      assert.deepEqual(doc.blocks.map((b) => [b.page, b.text]), seen.map((size, i) => [i + 1, `第${i + 1}页 ${size}`]));
      assert.equal(new Set(seen).size, 3, 'each page gave its own picture');
      assert.deepEqual(doc, await parseDocument('scan.pdf', scan, { ocr: sizeReader() }));
      // Without OCR the scan is reported, not held open.
      assert.equal((await parser.parse('scan.pdf', scan)).status, 'no_text_layer');
    } finally {
      await parser.close();
    }
  });

  it('ends the scan when OCR fails on a page, and parses the next documents', async () => {
    const parser = createWorkerParser();
    try {
      const scan = scannedPdf([digitsBitmap('12'), digitsBitmap('34')]);
      let calls = 0;
      const failing = async () => { if (++calls === 1) throw new Error('no time left to read the images of this file'); return ''; };
      await assert.rejects(parser.parse('scan.pdf', scan, { ocr: failing }), /no time left/);
      assert.equal(calls, 1, 'the second page was not read after the first failed');
      const text = await parser.parse('a.pdf', pdf(['minutes of the meeting']));
      assert.match(text.blocks.map((b) => b.text).join(), /minutes of the meeting/);
      const again = await parser.parse('scan.pdf', scan, { ocr: sizeReader() });
      assert.deepEqual(again.blocks.map((b) => b.page), [1, 2]);
    } finally {
      await parser.close();
    }
  });

  it('a scan whose page holds a picture over the pixel limit fails with the limit, and the worker goes on', async () => {
    const parser = createWorkerParser();
    try {
      const huge = { width: 7_000, height: 7_000, data: new Uint8Array(7_000 * 7_000).fill(255) }; // 49 MP > 40 MP
      const read: string[] = [];
      await assert.rejects(parser.parse('scan.pdf', scannedPdf([digitsBitmap('12'), huge]), { ocr: sizeReader(read) }), /ingest limit: .*pixels/);
      assert.equal(read.length, 1, 'the first page was read before the second failed');
      assert.equal((await parser.parse('scan.pdf', scannedPdf(digitsBitmap('5')), { ocr: sizeReader() })).status, 'ready');
    } finally {
      await parser.close();
    }
  });

  it('enlarges small type for OCR in the worker, also while a scan is held open; what is no PNG comes back as nothing', async () => {
    const parser = createWorkerParser();
    try {
      const png = encodePng(digitsBitmap('12'));
      const small = imageSize(png)!;
      assert.deepEqual(imageSize((await parser.enlarge(png))!), { width: 2 * small.width, height: 2 * small.height });
      assert.equal(await parser.enlarge(new Uint8Array([1, 2, 3])), null);
      // During a scan the worker is serving its pages; an enlargement asked meanwhile is answered too.
      const sizes: string[] = [];
      const ocr = async (image: Uint8Array) => { sizes.push(JSON.stringify(imageSize((await parser.enlarge(image))!))); return '1'; };
      assert.equal((await parser.parse('scan.pdf', scannedPdf(digitsBitmap('5')), { ocr })).status, 'ready');
      assert.equal(sizes.length, 1);
    } finally {
      await parser.close();
    }
  });

  it('a PDF with neither text nor pictures is unreadable, not empty', async () => {
    const parser = createWorkerParser();
    try {
      const doc = await parser.parse('outlined.pdf', outlinedPdf(), { ocr: sizeReader() });
      assert.equal(doc.status, 'no_text_layer');
      assert.match(doc.metadata.unreadable ?? '', /no text layer and no pictures/);
    } finally {
      await parser.close();
    }
  });
});
