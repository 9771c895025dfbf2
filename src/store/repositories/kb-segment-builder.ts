import { BlockPacker, BLOCK_BYTES, FNV_OFFSET, FNV_PRIME, keyBytes, unit } from './kb-postings.ts';

/** One chunk to index: its number in the base, its token count, and its tokens by field prefix. */
export interface IndexedChunk { num: number; len: number; fields: ReadonlyArray<readonly [prefix: string, tokens: readonly string[]]> }

/** A growable Int32Array. */
class Ints {
  a = new Int32Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

/**
 * Builds a segment a chunk at a time, keeping postings rather than tokens (an ingest group's token arrays can go
 * as soon as each chunk is added). Chunks are added in ascending number order; numbers may be relative to an
 * offset given to `blocks` (an ingest knows its chunks' numbers only in the transaction that writes them).
 *
 * Inversion without an object per term: tokens become term ids through an open-addressing table keyed by the
 * term's own hash (termHash of "prefix+token", carried on from the prefix's state, so it is computed once per
 * token and serves the block order too — about twice as fast as a Map of fresh strings); postings are appended to
 * one flat typed array as (term id, chunk ordinal, tf) in chunk order, the chunks' numbers and lengths kept once per
 * chunk (four parallel arrays, a push each, took a third of the time of adding a chunk); a token met again in the
 * same chunk raises its posting's tf, found through the term's last posting; and `blocks` groups them by term with
 * a counting sort, which keeps each term's postings in number order.
 */
export class SegmentBuilder {
  // Open addressing, pairs (hash, id + 1; 0 = empty) side by side so a probe touches one cache line.
  private slots = new Int32Array(2 << 12);
  private readonly prefixes: string[] = [];
  private readonly keyField: number[] = [];
  private readonly keyToken: string[] = [];
  private readonly keyHash: number[] = [];
  // Per term: the number of the chunk it was last seen in and where that posting is, side by side.
  private last = new Int32Array(2 * 1024);
  // Postings as (term id, chunk ordinal, tf) triples in one array: one bounds check a posting, not four arrays.
  private post = new Int32Array(3 * 4096);
  private np = 0;
  // Per chunk, by ordinal (the order added): its number and its length.
  private readonly chunkNums = new Ints();
  private readonly chunkLens = new Ints();
  private prev = -1;
  chunks = 0;
  minNum = -1;

  get postings(): number { return this.np; }
  get maxNum(): number { return this.prev; }

  add(c: IndexedChunk): void {
    if (c.num <= this.prev) throw new Error('kb index: chunks must be added in ascending number order');
    if (c.num > 0x7fffffff) throw new Error('kb index: chunk number out of range');
    this.prev = c.num;
    if (this.minNum < 0) this.minNum = c.num;
    const ord = this.chunks++;
    this.chunkNums.push(c.num);
    this.chunkLens.push(c.len);
    for (const [prefix, tokens] of c.fields) {
      let field = this.prefixes.indexOf(prefix);
      if (field < 0) field = this.prefixes.push(prefix) - 1;
      let seed = FNV_OFFSET;
      for (let i = 0; i < prefix.length; i++) seed = Math.imul(seed ^ unit(prefix, i), FNV_PRIME);
      for (const t of tokens) {
        let h = seed;
        for (let i = 0; i < t.length; i++) {
          const ch = t.charCodeAt(i);
          h = Math.imul(h ^ ((ch & 0xf800) === 0xd800 ? unit(t, i) : ch), FNV_PRIME);
        }
        const id = this.termId(field, t, h);
        const last = this.last;
        if (last[2 * id] === c.num) { this.post[3 * last[2 * id + 1] + 2]++; continue; }
        last[2 * id] = c.num;
        const p = this.np++;
        last[2 * id + 1] = p;
        if (3 * p + 3 > this.post.length) {
          const b = new Int32Array(this.post.length * 2);
          b.set(this.post);
          this.post = b;
        }
        const post = this.post;
        post[3 * p] = id;
        post[3 * p + 1] = ord;
        post[3 * p + 2] = 1;
      }
    }
  }

  /** The id of (field, token) with hash `h` (as an int32), made when new. */
  private termId(field: number, t: string, h: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let at = h & mask; ; at = (at + 1) & mask) {
      const id = slots[2 * at + 1] - 1;
      if (id < 0) {
        const fresh = this.keyToken.length;
        this.keyToken.push(t);
        this.keyField.push(field);
        this.keyHash.push(h >>> 0);
        slots[2 * at] = h;
        slots[2 * at + 1] = fresh + 1;
        if (2 * fresh + 2 > this.last.length) this.grow();
        this.last[2 * fresh] = -1;
        if (fresh * 4 >= slots.length) this.rehash();
        return fresh;
      }
      if (slots[2 * at] === h && this.keyToken[id] === t && this.keyField[id] === field) return id;
    }
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = (slots.length >> 1) - 1;
    for (let id = 0; id < this.keyHash.length; id++) {
      const h = this.keyHash[id] | 0;
      let at = h & mask;
      while (slots[2 * at + 1] !== 0) at = (at + 1) & mask;
      slots[2 * at] = h;
      slots[2 * at + 1] = id + 1;
    }
    this.slots = slots;
  }

  private grow(): void {
    const n = new Int32Array(this.last.length * 2);
    n.set(this.last);
    this.last = n;
  }

  /** The segment's blocks, every number shifted by `offset`. */
  blocks(offset = 0, target = BLOCK_BYTES): Array<{ firstHash: number; data: Uint8Array }> {
    const nTerms = this.keyToken.length;
    const n = this.np;
    const post = this.post, chunkNums = this.chunkNums.a, chunkLens = this.chunkLens.a;
    // Counting sort of the postings by term; chunk order (and so number order) holds within a term.
    const start = new Int32Array(nTerms + 1);
    for (let i = 0; i < n; i++) start[post[3 * i] + 1]++;
    for (let t = 0; t < nTerms; t++) start[t + 1] += start[t];
    const fill = start.slice(0, nTerms);
    const nums = new Int32Array(n), tfs = new Int32Array(n), lens = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const at = fill[post[3 * i]]++;
      const ord = post[3 * i + 1];
      nums[at] = chunkNums[ord];
      tfs[at] = post[3 * i + 2];
      lens[at] = chunkLens[ord];
    }
    // Entry order is (hash, key bytes): sort hash·2^21 + id as numbers (a native typed-array sort), then order
    // the rare runs of equal hashes by their keys' bytes.
    if (nTerms >= 2 ** 21) throw new Error('kb index: too many distinct terms in one segment');
    const hashes = this.keyHash;
    const order = new Float64Array(nTerms);
    for (let t = 0; t < nTerms; t++) order[t] = hashes[t] * 2 ** 21 + t;
    order.sort();
    const idx = new Array<number>(nTerms);
    for (let i = 0; i < nTerms; i++) idx[i] = order[i] % 2 ** 21;
    for (let i = 1; i < idx.length; i++) {
      if (hashes[idx[i]] !== hashes[idx[i - 1]]) continue;
      let j = i + 1;
      while (j < idx.length && hashes[idx[j]] === hashes[idx[i]]) j++;
      const key = (t: number) => keyBytes(this.prefixes[this.keyField[t]] + this.keyToken[t]);
      const run = idx.slice(i - 1, j).sort((a, b) => Buffer.compare(key(a), key(b)));
      idx.splice(i - 1, run.length, ...run);
      i = j - 1;
    }
    const packer = new BlockPacker(target);
    for (const t of idx) packer.addList(hashes[t], this.prefixes[this.keyField[t]], this.keyToken[t], nums, tfs, lens, start[t], start[t + 1], offset);
    return packer.drain(true);
  }
}

/** The blocks of a segment over `chunks` (ascending numbers). */
export function buildSegment(chunks: readonly IndexedChunk[], target = BLOCK_BYTES): { blocks: Array<{ firstHash: number; data: Uint8Array }>; postings: number } {
  const b = new SegmentBuilder();
  for (const c of chunks) b.add(c);
  return { blocks: b.blocks(0, target), postings: b.postings };
}
