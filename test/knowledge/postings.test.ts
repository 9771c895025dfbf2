import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BlockPacker, blockEntries, ByteReader, ByteWriter, forEachPosting, hashUtf8, joinPostings, keyBytes, scanBlock, termHash,
} from '../../src/store/repositories/kb-postings.ts';
import { buildSegment } from '../../src/store/repositories/kb-segment-builder.ts';

const postingsOf = (bytes: Uint8Array) => {
  const out: Array<[number, number, number]> = [];
  forEachPosting(bytes, (n, tf, len) => out.push([n, tf, len]));
  return out;
};

/** Every entry of a segment's blocks, as plain values. */
function entriesOf(blocks: ReadonlyArray<{ firstHash: number; data: Uint8Array }>) {
  return blocks.flatMap((b) => [...blockEntries(b.data)].map((e) => ({ block: b.firstHash, hash: e.hash, key: Buffer.from(e.key).toString(), df: e.df, last: e.last, postings: postingsOf(e.postings) })));
}

describe('knowledge index byte format', () => {
  it('varints round-trip from 0 to beyond 2^32', () => {
    const w = new ByteWriter(4);
    const values = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 50];
    for (const v of values) w.varint(v);
    const r = new ByteReader(w.take());
    assert.deepEqual(values.map(() => r.varint()), values);
  });

  it('writes keys as UTF-8 exactly as TextEncoder does, Chinese, astral and lone surrogates included, short and long', () => {
    for (const key of ['w:差旅费', 'g:住宿', 'w:abc', 'w:𠮷野家', `w:${'长'.repeat(60)}`, 'w:\ud800x', 'w:é']) {
      const w = new ByteWriter(2);
      w.utf8(key);
      const r = new ByteReader(w.take());
      const n = r.varint();
      assert.deepEqual(r.buf.subarray(r.pos, r.pos + n), keyBytes(key), key);
      assert.equal(r.pos + n, r.buf.length);
    }
  });

  it('a segment holds every chunk of every token once, with its term frequency and the chunk\'s length, in entry order', () => {
    const { blocks, postings } = buildSegment([
      { num: 3, len: 4, fields: [['w:', ['差旅费', '标准', '差旅费']], ['g:', ['差旅']]] },
      { num: 7, len: 2, fields: [['w:', ['标准']], ['g:', ['差旅']]] },
    ], 16);
    assert.equal(postings, 5);
    const entries = entriesOf(blocks);
    assert.deepEqual(entries.map((e) => [e.key, e.df, e.last, e.postings]).sort(), [
      ['g:差旅', 2, 7, [[3, 1, 4], [7, 1, 2]]],
      ['w:差旅费', 1, 3, [[3, 2, 4]]],
      ['w:标准', 2, 7, [[3, 1, 4], [7, 1, 2]]],
    ]);
    for (const e of entries) assert.equal(e.hash, termHash(e.key));
    const hashes = entries.map((e) => e.hash);
    assert.deepEqual(hashes, [...hashes].sort((a, b) => a - b), 'entries are ordered by hash');
    // A tiny block size gives a block per entry; each block is found by its first hash.
    assert.equal(blocks.length, 3);
    for (const b of blocks) assert.equal(b.firstHash, [...blockEntries(b.data)][0].hash);
  });

  it('keys of one hash stay in one block, so the block found by a hash holds all of them', () => {
    const packer = new BlockPacker(1);
    packer.add(5, keyBytes('w:a'), 1, 0, new Uint8Array([0, 1, 1]));
    packer.add(9, keyBytes('w:b'), 1, 0, new Uint8Array([0, 1, 1]));
    packer.add(9, keyBytes('w:c'), 1, 0, new Uint8Array([0, 1, 1]));
    packer.add(12, keyBytes('w:d'), 1, 0, new Uint8Array([0, 1, 1]));
    const blocks = packer.drain(true);
    assert.deepEqual(blocks.map((b) => b.firstHash), [5, 9, 12]);
    assert.deepEqual([...blockEntries(blocks[1].data)].map((e) => Buffer.from(e.key).toString()), ['w:b', 'w:c']);
  });

  it('a reader computes an entry\'s hash from its key as the writer did, Chinese and astral keys included', () => {
    for (const key of ['w:差旅费', 'g𠮷野', 'wabc', `w${'长'.repeat(60)}`, 'w\ud800x']) {
      const b = keyBytes(key);
      assert.equal(hashUtf8(b, 0, b.length), termHash(key), key);
    }
  });

  it('scanBlock reports only the wanted keys, and not a key that merely shares a hash', () => {
    const { blocks } = buildSegment([{ num: 0, len: 3, fields: [['w:', ['甲', '乙', '丙']]] }], 4096);
    assert.equal(blocks.length, 1);
    const wanted = new Map<number, Array<{ name: string; bytes: Uint8Array }>>();
    for (const name of ['w:乙', 'w:丁']) wanted.set(termHash(name), [{ name, bytes: keyBytes(name) }]);
    // An impostor filed under 乙's hash must not match 乙's entry.
    wanted.get(termHash('w:乙'))!.push({ name: 'w:戊', bytes: keyBytes('w:戊') });
    const found: string[] = [];
    scanBlock(blocks[0].data, wanted, (k, df, p) => { found.push(`${k.name} ${df} ${JSON.stringify(postingsOf(p))}`); });
    assert.deepEqual(found, ['w:乙 1 [[0,1,3]]']);
  });

  it('joining posting lists of later, disjoint number ranges equals encoding them together', () => {
    const enc = (ps: Array<[number, number, number]>) => {
      const w = new ByteWriter();
      let prev = 0;
      ps.forEach(([n, tf, len], i) => { w.varint(i ? n - prev : n); w.varint(len * 2 + (tf > 1 ? 1 : 0)); if (tf > 1) w.varint(tf); prev = n; });
      return w.take();
    };
    const a: Array<[number, number, number]> = [[2, 1, 10], [40, 3, 12]];
    const b: Array<[number, number, number]> = [[41, 1, 9], [1000, 2, 300]];
    const c: Array<[number, number, number]> = [[70_000, 1, 5]];
    const w = new ByteWriter();
    joinPostings(w, [{ last: 40, postings: enc(a) }, { last: 1000, postings: enc(b) }, { last: 70_000, postings: enc(c) }]);
    assert.deepEqual(w.take(), enc([...a, ...b, ...c]));
    assert.throws(() => joinPostings(new ByteWriter(), [{ last: 41, postings: enc(b) }, { last: 40, postings: enc(a) }]), /overlap/);
  });
});
