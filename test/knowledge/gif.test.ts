import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gifScreens, laterGifFrames } from '../../src/knowledge/ingest/gif.ts';
import { DEFAULT_INGEST_LIMITS, IngestLimitError } from '../../src/knowledge/ingest/limits.ts';
import { documentExtras } from '../../src/knowledge/ingest/document-extras.ts';
import { animatedGif, digitsBitmap, gifImage, levelsAt } from './fixtures.ts';

const limits = DEFAULT_INGEST_LIMITS;
const blank = (width: number, height: number, level = 255) => ({ width, height, data: new Uint8Array(width * height).fill(level) });
/** Varied pixels, so that the LZW dictionary fills and is cleared. */
const noise = (width: number, height: number) => ({ width, height, data: new Uint8Array(width * height).map((_, i) => (i * 7919 + (i >> 7)) % 253) });


describe('animated GIF frames', () => {
  it('decodes LZW as encoders write it (a full dictionary, cleared) and interlaced rows, frame by frame', () => {
    const n = noise(300, 90);
    const gif = animatedGif(300, 90, [{ picture: blank(300, 90) }, { picture: n, interlaced: true }]);
    const screens: Uint8Array[] = [];
    for (const s of gifScreens(gif, limits)) screens.push(s.rgb.slice()); // the screen changes in place
    assert.equal(screens.length, 2);
    assert.ok(screens[0].every((v) => v === 255));
    for (let i = 0; i < n.data.length; i += 997) assert.equal(screens[1][3 * i], n.data[i], `pixel ${i}`);
  });

  it('draws each frame at its place: transparency keeps what is under it, disposal 2 clears, disposal 3 restores', () => {
    const gif = animatedGif(20, 10, [
      { picture: blank(20, 10, 200) },
      { picture: blank(4, 4, 50), x: 2, y: 2, disposal: 3 }, // shown, then the screen as it was before it
      { picture: blank(4, 4, 0), x: 2, y: 2, transparent: 0, disposal: 2 }, // all transparent: nothing drawn, then cleared
      { picture: blank(2, 2, 90), x: 10, y: 5 },
    ]);
    assert.deepEqual(levelsAt(gifScreens(gif, limits), 3, 3), [200, 50, 200, 255]);
    assert.deepEqual(levelsAt(gifScreens(gif, limits), 10, 5), [200, 200, 200, 90]);
    assert.deepEqual(levelsAt(gifScreens(gif, limits), 0, 0), [200, 200, 200, 200]);
  });

  it('takes a picture of each screen that differs from the last one taken; the first frame is OCR\'s own', () => {
    const phone = digitsBitmap('138 0013 8000');
    const screen = blank(phone.width, phone.height);
    const gif = animatedGif(phone.width, phone.height, [
      { picture: screen },
      { picture: screen }, // the same again: nothing new
      { picture: phone },
      { picture: blank(3, 3, 0), x: 0, y: 0 }, // 9 pixels changed: a cursor, nothing to read
    ]);
    const pictures = laterGifFrames(gif, limits, 32);
    assert.equal(pictures.length, 1);
    assert.deepEqual([...pictures[0].subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.deepEqual(laterGifFrames(gifImage(phone), limits, 32), [], 'a GIF of one frame: nothing to add');
  });

  it('a document reads a GIF\'s later frames as pictures, even when its first frame shows nothing', async () => {
    const phone = digitsBitmap('138 0013 8000');
    const gif = animatedGif(phone.width, phone.height, [{ picture: blank(phone.width, phone.height) }, { picture: phone }]);
    const extras = await documentExtras('image', gif);
    assert.equal(extras.pictures.length, 1);
  });

  it('hostile: a frame declaring 65535 × 65535 — an ingest limit, not a hang', () => {
    const huge = Buffer.from(animatedGif(10, 10, [{ picture: blank(10, 10) }, { picture: blank(10, 10) }]));
    const second = huge.lastIndexOf(0x2c, huge.length - 10);
    huge.writeUInt16LE(65535, second + 5);
    huge.writeUInt16LE(65535, second + 7);
    assert.throws(() => laterGifFrames(huge, limits, 32), IngestLimitError);
    // The same blocks after another signature: not a GIF, nothing read as one.
    const renamed = Buffer.from(animatedGif(10, 10, [{ picture: blank(10, 10) }, { picture: blank(10, 10, 0) }]));
    assert.equal(laterGifFrames(renamed, limits, 32).length, 1);
    renamed.write('XIF', 0, 'latin1');
    assert.deepEqual(laterGifFrames(renamed, limits, 32), []);
  });

  it('hostile: cut short, broken codes, a screen too large — no throw beyond an ingest limit, what was drawn stands', () => {
    const gif = animatedGif(300, 90, [{ picture: blank(300, 90) }, { picture: noise(300, 90) }]);
    for (const cut of [20, 800, gif.length - 500, gif.length - 2]) {
      assert.doesNotThrow(() => [...gifScreens(gif.subarray(0, cut), limits)], `cut at ${cut}`);
    }
    const broken = Buffer.from(gif);
    for (let i = broken.length - 400; i < broken.length - 2; i += 7) broken[i] ^= 0x5a;
    assert.doesNotThrow(() => laterGifFrames(broken, limits, 32));
    const wide = Buffer.from(gif);
    wide.writeUInt16LE(65535, 6);
    wide.writeUInt16LE(65535, 8);
    assert.throws(() => laterGifFrames(wide, limits, 32), IngestLimitError);
  });
});
