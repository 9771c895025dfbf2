import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apngScreens, laterApngFrames } from '../../src/knowledge/ingest/apng.ts';
import { DEFAULT_INGEST_LIMITS, IngestLimitError } from '../../src/knowledge/ingest/limits.ts';
import { documentExtras } from '../../src/knowledge/ingest/document-extras.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';
import { animatedPng, digitsBitmap, levelsAt } from './fixtures.ts';

const limits = DEFAULT_INGEST_LIMITS;
const flat = (width: number, height: number, level = 255) => ({ width, height, data: new Uint8Array(width * height).fill(level) });


describe('animated PNG frames', () => {
  it('decodes each frame (Paeth-filtered rows, alpha) and draws it as the format says: over or replacing, then left, cleared or restored', () => {
    const png = animatedPng(20, 10, [
      { picture: flat(20, 10, 200) },
      { picture: flat(4, 4, 50), x: 2, y: 2, dispose: 2 }, // shown, then the screen as before it
      { picture: flat(4, 4, 0), alpha: new Uint8Array(16).fill(128), x: 2, y: 2, blend: 1, dispose: 1 }, // half over, then cleared
      { picture: flat(2, 2, 90), alpha: new Uint8Array(4), x: 10, y: 5, blend: 0 }, // replaced by transparent: white shows
    ]);
    assert.deepEqual(levelsAt(apngScreens(png, limits), 3, 3), [200, 50, 100, 255]);
    assert.deepEqual(levelsAt(apngScreens(png, limits), 10, 5), [200, 200, 200, 255]);
    assert.deepEqual(levelsAt(apngScreens(png, limits), 0, 0), [200, 200, 200, 200]);
  });

  it('the still image is what OCR reads; a later frame that shows something else is a picture', async () => {
    const phone = digitsBitmap('138 0013 8000');
    const png = animatedPng(phone.width, phone.height, [{ picture: flat(phone.width, phone.height) }, { picture: phone }]);
    const pictures = laterApngFrames(png, limits, 32);
    assert.equal(pictures.length, 1);
    assert.equal((await documentExtras('image', png)).pictures.length, 1);
    assert.deepEqual(laterApngFrames(animatedPng(10, 10, [{ picture: flat(10, 10) }]), limits, 32), [], 'one frame: nothing more');
    assert.deepEqual(laterApngFrames(encodePng({ ...phone, channels: 1 }), limits, 32), [], 'a PNG that is not animated');
  });

  it('hostile: a frame outside the screen, data that inflates past its frame, a file cut anywhere — an ingest limit or the frames before, no hang', () => {
    const outside = animatedPng(10, 10, [{ picture: flat(10, 10) }, { picture: flat(5, 5, 0), x: 8, y: 8 }]);
    assert.equal([...apngScreens(outside, limits)].length, 1);
    // A frame whose header says 2 × 2 and whose data is a 1000 × 1000 image's: a bomb stops at the size declared.
    const bomb = Buffer.from(animatedPng(10, 10, [{ picture: flat(10, 10) }, { picture: flat(1000, 1000, 0) }]));
    const control = bomb.lastIndexOf(Buffer.from('fcTL'));
    bomb.writeUInt32BE(2, control + 8);
    bomb.writeUInt32BE(2, control + 12);
    assert.throws(() => laterApngFrames(bomb, limits, 32), IngestLimitError);
    const cut = animatedPng(30, 30, [{ picture: flat(30, 30) }, { picture: flat(30, 30, 0) }]);
    for (let n = 8; n < cut.length; n += 13) {
      try { laterApngFrames(cut.subarray(0, n), limits, 32); } catch (e) { assert.ok(e instanceof IngestLimitError, String(e)); }
    }
  });
});
