import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { laterTiffPages } from '../../src/knowledge/ingest/tiff.ts';
import { DEFAULT_INGEST_LIMITS, IngestLimitError } from '../../src/knowledge/ingest/limits.ts';
import { documentExtras } from '../../src/knowledge/ingest/document-extras.ts';
import { imageSize } from '../../src/knowledge/ingest/image-size.ts';
import { multiPageTiff } from './fixtures.ts';

const limits = DEFAULT_INGEST_LIMITS;
const page = (width: number, height: number, level = 255) => ({ width, height, data: new Uint8Array(width * height).fill(level) });

describe('multi-page TIFF', () => {
  it('each page after the first becomes a TIFF of its own: the header points at its directory, whose link is cut', () => {
    const tiff = multiPageTiff([page(30, 20), page(40, 25, 0), page(50, 10, 128)]);
    const pages = laterTiffPages(tiff, limits, 32);
    assert.equal(pages.length, 2);
    assert.deepEqual(pages.map((p) => imageSize(p)), [{ width: 40, height: 25 }, { width: 50, height: 10 }]);
    for (const p of pages) assert.deepEqual(laterTiffPages(p, limits, 32), [], 'one page each');
    assert.deepEqual(laterTiffPages(multiPageTiff([page(30, 20)]), limits, 32), [], 'a TIFF of one page: nothing to add');
    assert.deepEqual(imageSize(tiff), { width: 30, height: 20 }, 'the file itself is unchanged');
  });

  it('a document reads a TIFF\'s later pages as pictures', async () => {
    const extras = await documentExtras('image', multiPageTiff([page(30, 20), page(40, 25, 0)]));
    assert.equal(extras.pictures.length, 1);
  });

  it('hostile: a directory chain that loops or points outside the file ends there; more pages than allowed is an ingest limit', () => {
    const looped = Buffer.from(multiPageTiff([page(10, 10), page(10, 10)]));
    const second = looped.readUInt32LE(looped.readUInt32LE(4) + 2 + 12 * 9);
    looped.writeUInt32LE(looped.readUInt32LE(4), second + 2 + 12 * 9); // the second page links back to the first
    assert.equal(laterTiffPages(looped, limits, 32).length, 1);
    const outside = Buffer.from(multiPageTiff([page(10, 10), page(10, 10)]));
    outside.writeUInt32LE(0xfffffff0, outside.readUInt32LE(4) + 2 + 12 * 9);
    assert.deepEqual(laterTiffPages(outside, limits, 32), []);
    const many = multiPageTiff(Array.from({ length: 40 }, () => page(10, 10)));
    assert.throws(() => laterTiffPages(many, limits, 32), /more than 33 pages/);
    assert.throws(() => laterTiffPages(many, { ...limits, maxTotalBytes: 10_000 }, 64), IngestLimitError);
    const big = Buffer.from(multiPageTiff([page(10, 10), page(10, 10)]));
    big.writeUInt16LE(43, 2); // BigTIFF
    assert.deepEqual(laterTiffPages(big, limits, 32), []);
    assert.deepEqual(laterTiffPages(new Uint8Array([0x49, 0x49, 42, 0]), limits, 32), []);
  });
});
