/**
 * The byte format of the knowledge full-text index (pure: no I/O). A segment of a base's index is a sorted run of
 * term entries, cut into blocks of about BLOCK_BYTES that are stored one per row and found by their first term's
 * hash (see kb-segments.ts). Entries are ordered by (hash, key bytes), so the block that can hold a term is the
 * last one whose first hash is ≤ the term's — one index seek, the same on SQLite and PostgreSQL (integers compare
 * alike everywhere, where text collations do not).
 *
 * Entry:    u32 hash · varint key length · key (UTF-8, field-prefixed: "w:词", "g:词组") · varint df ·
 *           varint last num · varint postings length · postings
 * Postings: per chunk, ascending by num: varint num (the first absolute, then the gap) · varint tf · varint length
 *           (the chunk's token count, for BM25's length normalisation)
 * Keeping the last num in the header lets two lists of disjoint, ordered num ranges be joined by copying bytes:
 * only the second list's first num is re-encoded as a gap.
 */

/** Blocks close once they hold this many bytes (an entry is never split; a long posting list makes a big block). */
export const BLOCK_BYTES = 1024;

/** FNV-1a over the key's UTF-16 code units: a stable 32-bit hash, unsigned. */
export function termHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A growable byte buffer with LEB128 varints. */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(size = 256) { this.buf = new Uint8Array(size); }
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  varint(n: number): void {
    if (this.pos + 8 > this.buf.length) this.room(8);
    const b = this.buf;
    if (n < 0x80) { b[this.pos++] = n; return; }
    if (n < 0x80000000) {
      while (n >= 0x80) { b[this.pos++] = (n & 0x7f) | 0x80; n >>>= 7; }
      b[this.pos++] = n;
      return;
    }
    while (n >= 0x80) { b[this.pos++] = (n % 0x80) | 0x80; n = Math.floor(n / 0x80); }
    b[this.pos++] = n;
  }
  /** A string as UTF-8, preceded by its byte length (a varint). */
  utf8(s: string): void {
    // At most 3 bytes per UTF-16 unit; the length prefix is patched in once the bytes are known.
    this.room(s.length * 3 + 5);
    const b = this.buf;
    const at = this.pos;
    let p = at + (s.length * 3 < 0x80 ? 1 : 5);
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) b[p++] = c;
      else if (c < 0x800) { b[p++] = 0xc0 | (c >> 6); b[p++] = 0x80 | (c & 0x3f); }
      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        b[p++] = 0xf0 | (c >> 18); b[p++] = 0x80 | ((c >> 12) & 0x3f); b[p++] = 0x80 | ((c >> 6) & 0x3f); b[p++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // a lone surrogate, as TextEncoder writes it
        b[p++] = 0xe0 | (c >> 12); b[p++] = 0x80 | ((c >> 6) & 0x3f); b[p++] = 0x80 | (c & 0x3f);
      }
    }
    const n = p - (at + (s.length * 3 < 0x80 ? 1 : 5));
    if (s.length * 3 < 0x80) { b[at] = n; this.pos = p; return; }
    // Long keys: move the bytes down behind a varint of the real length.
    const start = at + 5;
    this.pos = at;
    this.varint(n);
    b.copyWithin(this.pos, start, p);
    this.pos += n;
  }
  u32(n: number): void {
    this.room(4);
    this.buf[this.pos++] = n >>> 24;
    this.buf[this.pos++] = (n >>> 16) & 0xff;
    this.buf[this.pos++] = (n >>> 8) & 0xff;
    this.buf[this.pos++] = n & 0xff;
  }
  bytes(b: Uint8Array): void {
    if (this.pos + b.length > this.buf.length) this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** The bytes written so far (a copy, so the writer can be reused). */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}

const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : Math.ceil(Math.log2(n + 1) / 7));

/** A varint reader over a byte array; `pos` advances. */
export class ByteReader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0) { this.pos = start; }
  varint(): number {
    const b = this.buf;
    let byte = b[this.pos++];
    if (byte < 0x80) return byte;
    let n = byte & 0x7f;
    let scale = 0x80;
    for (;;) {
      byte = b[this.pos++];
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return n;
      scale *= 0x80;
    }
  }
  u32(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }
}

/** One term's postings in one segment; `postings` is a view into its block. */
export interface Entry {
  hash: number;
  key: Uint8Array;
  df: number;
  last: number;
  postings: Uint8Array;
}

const utf8 = new TextEncoder();
export const keyBytes = (key: string): Uint8Array => utf8.encode(key);

/** Entry order: by hash, then by key bytes. */
export function compareEntries(a: { hash: number; key: Uint8Array }, b: { hash: number; key: Uint8Array }): number {
  if (a.hash !== b.hash) return a.hash < b.hash ? -1 : 1;
  return Buffer.compare(a.key, b.key);
}

/** The entries of a block, in order, as views (no copies). */
export function* blockEntries(block: Uint8Array): Generator<Entry> {
  const r = new ByteReader(block);
  while (r.pos < block.length) {
    const hash = r.u32();
    const kl = r.varint();
    const key = block.subarray(r.pos, r.pos + kl);
    r.pos += kl;
    const df = r.varint();
    const last = r.varint();
    const pl = r.varint();
    const postings = block.subarray(r.pos, r.pos + pl);
    r.pos += pl;
    yield { hash, key, df, last, postings };
  }
}

/** The entry of `key` in a block, if the block holds it. */
export function findEntry(block: Uint8Array, hash: number, key: Uint8Array): Entry | undefined {
  for (const e of blockEntries(block)) {
    if (e.hash > hash) return undefined;
    if (e.hash === hash && Buffer.compare(e.key, key) === 0) return e;
  }
  return undefined;
}

/**
 * Finds the entries of `wanted` keys in a block without allocating for the others: `wanted` maps a hash to the
 * keys (UTF-8) of that hash; `found(key, df, postings)` is called for each key the block holds.
 */
export function scanBlock<K extends { bytes: Uint8Array }>(block: Uint8Array, wanted: ReadonlyMap<number, readonly K[]>, found: (key: K, df: number, postings: Uint8Array) => void): void {
  const r = new ByteReader(block);
  const end = block.length;
  while (r.pos < end) {
    const hash = r.u32();
    const kl = r.varint();
    const keyAt = r.pos;
    r.pos += kl;
    const keys = wanted.get(hash);
    if (keys === undefined) {
      r.varint();
      r.varint();
      const skip = r.varint();
      r.pos += skip;
      continue;
    }
    const df = r.varint();
    r.varint();
    const pl = r.varint();
    for (const k of keys) if (k.bytes.length === kl && sameBytes(block, keyAt, k.bytes)) found(k, df, block.subarray(r.pos, r.pos + pl));
    r.pos += pl;
  }
}

function sameBytes(block: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (block[at + i] !== key[i]) return false;
  return true;
}

/** Encodes ascending postings (num, tf, token count). */
export function encodePostings(w: ByteWriter, nums: ArrayLike<number>, tfs: ArrayLike<number>, lens: ArrayLike<number>): void {
  let prev = 0;
  for (let i = 0; i < nums.length; i++) {
    w.varint(i === 0 ? nums[i] : nums[i] - prev);
    w.varint(tfs[i]);
    w.varint(lens[i]);
    prev = nums[i];
  }
}

/** Calls `each(num, tf, len)` for every posting of an entry, in num order. */
export function forEachPosting(postings: Uint8Array, each: (num: number, tf: number, len: number) => void): void {
  const r = new ByteReader(postings);
  let num = 0;
  let first = true;
  while (r.pos < postings.length) {
    const gap = r.varint();
    num = first ? gap : num + gap;
    first = false;
    each(num, r.varint(), r.varint());
  }
}

/**
 * Packs entries (given in entry order) into blocks. Entries of one hash stay in one block, so the block found by
 * a hash holds every key of that hash.
 */
export class BlockPacker {
  private w = new ByteWriter(BLOCK_BYTES * 2);
  private first = -1;
  private lastHash = -1;
  readonly blocks: Array<{ firstHash: number; data: Uint8Array }> = [];
  constructor(private readonly target = BLOCK_BYTES) {}

  /** Adds one entry (entries arrive in entry order); its postings are copied. */
  add(hash: number, key: Uint8Array | string, df: number, last: number, postings: Uint8Array | ByteWriter): void {
    if (this.first >= 0 && this.w.pos >= this.target && hash !== this.lastHash) this.close();
    if (this.first < 0) this.first = hash;
    this.lastHash = hash;
    const w = this.w;
    w.u32(hash);
    if (typeof key === 'string') w.utf8(key);
    else {
      w.varint(key.length);
      w.bytes(key);
    }
    w.varint(df);
    w.varint(last);
    if (postings instanceof ByteWriter) {
      w.varint(postings.pos);
      w.bytes(postings.buf.subarray(0, postings.pos));
    } else {
      w.varint(postings.length);
      w.bytes(postings);
    }
  }

  /** Adds an entry from postings from..to of parallel arrays (ascending numbers, shifted by `offset`), encoding them in place. */
  addList(hash: number, key: string, nums: Int32Array, tfs: Int32Array, lens: Int32Array, from: number, to: number, offset = 0): void {
    if (this.first >= 0 && this.w.pos >= this.target && hash !== this.lastHash) this.close();
    if (this.first < 0) this.first = hash;
    this.lastHash = hash;
    const w = this.w;
    w.u32(hash);
    w.utf8(key);
    w.varint(to - from);
    w.varint(nums[to - 1] + offset);
    let size = varintSize(nums[from] + offset);
    for (let i = from; i < to; i++) size += (i > from ? varintSize(nums[i] - nums[i - 1]) : 0) + varintSize(tfs[i]) + varintSize(lens[i]);
    w.varint(size);
    for (let i = from; i < to; i++) {
      w.varint(i === from ? nums[i] + offset : nums[i] - nums[i - 1]);
      w.varint(tfs[i]);
      w.varint(lens[i]);
    }
  }

  private close(): void {
    this.blocks.push({ firstHash: this.first, data: this.w.take() });
    this.first = -1;
  }

  /** Closes the open block and hands over the blocks packed so far. */
  drain(final: boolean): Array<{ firstHash: number; data: Uint8Array }> {
    if (final && this.first >= 0) this.close();
    return this.blocks.splice(0);
  }
}

/**
 * Writes the postings of several entries of one key, each covering a later, disjoint num range than the one
 * before, as one list: bytes are copied, only each following list's first num becomes a gap.
 */
export function joinPostings(w: ByteWriter, parts: ReadonlyArray<{ last: number; postings: Uint8Array }>): void {
  let prevLast = -1;
  for (const p of parts) {
    if (prevLast < 0) w.bytes(p.postings);
    else {
      const r = new ByteReader(p.postings);
      const first = r.varint();
      if (first <= prevLast) throw new Error('kb index: posting lists to join overlap');
      w.varint(first - prevLast);
      w.bytes(p.postings.subarray(r.pos));
    }
    prevLast = p.last;
  }
}
