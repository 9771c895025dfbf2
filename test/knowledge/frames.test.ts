import { it } from 'node:test';
import assert from 'node:assert/strict';
import { laterGifFrames } from '../../src/knowledge/ingest/gif.ts';
import { laterApngFrames } from '../../src/knowledge/ingest/apng.ts';
import { MAX_FRAMES } from '../../src/knowledge/ingest/frames.ts';
import { DEFAULT_INGEST_LIMITS } from '../../src/knowledge/ingest/limits.ts';
import { animatedGif, animatedPng } from './fixtures.ts';

const flat = (width: number, height: number, level = 255) => ({ width, height, data: new Uint8Array(width * height).fill(level) });
const readers = [
  { kind: 'GIF', make: animatedGif, read: laterGifFrames },
  { kind: 'APNG', make: animatedPng, read: laterApngFrames },
];

it('hostile: both animation readers stop at more frames, or more different pictures, than allowed — an ingest limit, not a hang', () => {
  for (const { kind, make, read } of readers) {
    const many = make(4, 4, Array.from({ length: MAX_FRAMES + 1 }, () => ({ picture: flat(4, 4) })));
    assert.throws(() => read(many, DEFAULT_INGEST_LIMITS, 32), /more than 2,?000 frames/, kind);
    const flicker = make(20, 20, Array.from({ length: 6 }, (_, k) => ({ picture: flat(20, 20, k % 2 ? 0 : 255) })));
    assert.throws(() => read(flicker, DEFAULT_INGEST_LIMITS, 3), /more than 3 different pictures/, kind);
    assert.equal(read(flicker, DEFAULT_INGEST_LIMITS, 5).length, 5, kind);
  }
});
