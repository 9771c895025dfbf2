/**
 * The byte format of the knowledge full-text index (pure: no I/O). A segment of a base's index is a sorted run of
 * term entries, cut into blocks of about BLOCK_BYTES that are stored one per row and found by their first term's
 * hash (see kb-segments.ts). Entries are ordered by (hash, key bytes), so the block that can hold a term is the
 * last one whose first hash is ≤ the term's — one index seek, the same on SQLite and PostgreSQL (integers compare
 * alike everywhere, where text collations do not).
 *
 * Entry:    varint key length · key (UTF-8: a field letter and the token, "w词", "g词组") · varint df ·
 *           varint last num · varint postings length · postings
 * Posting:  varint num (the first absolute, then the gap) · varint (length · 2 + (tf > 1)) · [varint tf, when > 1]
 *           — length is the chunk's token count, for BM25's length normalisation; most terms occur once in a chunk,
 *           so their tf costs no byte
 * An entry's hash is not stored: readers compute it from the key (termHash over its UTF-16 units). Keeping the last
 * num in the header lets two lists of disjoint, ordered num ranges be joined by copying bytes: only the second
 * list's first num is re-encoded as a gap.
 */

/** Blocks close once they hold this many bytes (an entry is never split; a long posting list makes a big block). */
export const BLOCK_BYTES = 1024;

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/**
 * FNV-1a over the key's UTF-16 code units (a lone surrogate counts as U+FFFD, as its UTF-8 is written): a stable
 * 32-bit hash, unsigned.
 */
export function termHash(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ unit(key, i), FNV_PRIME);
  return h >>> 0;
}

/** The code unit at i, or U+FFFD for a lone surrogate. */
export function unit(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if ((c & 0xf800) !== 0xd800) return c;
  const paired = c < 0xdc00 ? (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 : i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800;
  return paired ? c : 0xfffd;
}

/** termHash of a key given as UTF-8 bytes (at…at+n of `b`). */
export function hashUtf8(b: Uint8Array, at: number, n: number): number {
  let h = FNV_OFFSET;
  for (let i = at, end = at + n; i < end;) {
    const x = b[i];
    if (x < 0x80) { h = Math.imul(h ^ x, FNV_PRIME); i++; }
    else if (x < 0xe0) { h = Math.imul(h ^ (((x & 0x1f) << 6) | (b[i + 1] & 0x3f)), FNV_PRIME); i += 2; }
    else if (x < 0xf0) { h = Math.imul(h ^ (((x & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f)), FNV_PRIME); i += 3; }
    else {
      const cp = (((x & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f)) - 0x10000;
      h = Math.imul(h ^ (0xd800 + (cp >> 10)), FNV_PRIME);
      h = Math.imul(h ^ (0xdc00 + (cp & 0x3ff)), FNV_PRIME);
      i += 4;
    }
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
  /** A string (the concatenation of `a` and `b`, not made) as UTF-8, preceded by its byte length (a varint). */
  utf8(a: string, b = ''): void {
    // At most 3 bytes per UTF-16 unit; the length prefix is patched in once the bytes are known.
    const units = a.length + b.length;
    this.room(units * 3 + 5);
    const short = units * 3 < 0x80;
    const at = this.pos;
    const first = at + (short ? 1 : 5);
    const p = utf8Into(this.buf, utf8Into(this.buf, first, a), b);
    const n = p - first;
    if (short) { this.buf[at] = n; this.pos = p; return; }
    // Long keys: move the bytes down behind a varint of the real length.
    this.pos = at;
    this.varint(n);
    this.buf.copyWithin(this.pos, first, p);
    this.pos += n;
  }
  bytes(b: Uint8Array): void {
    if (this.pos + b.length > this.buf.length) this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Bytes at..at+n of `b`. */
  range(b: Uint8Array, at: number, n: number): void {
    if (this.pos + n > this.buf.length) this.room(n);
    const buf = this.buf;
    // Most keys and posting lists are a few bytes: a loop beats making a subarray to set().
    if (n < 64) for (let i = 0; i < n; i++) buf[this.pos + i] = b[at + i];
    else buf.set(b.subarray(at, at + n), this.pos);
    this.pos += n;
  }
  /** The bytes written so far (a copy, so the writer can be reused). */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}

const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : Math.ceil(Math.log2(n + 1) / 7));

/** Writes `s` as UTF-8 at `p` (room assumed); returns the position after it. Lone surrogates become U+FFFD, as TextEncoder writes them. */
function utf8Into(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) b[p++] = c;
    else if (c < 0x800) { b[p++] = 0xc0 | (c >> 6); b[p++] = 0x80 | (c & 0x3f); }
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      b[p++] = 0xf0 | (c >> 18); b[p++] = 0x80 | ((c >> 12) & 0x3f); b[p++] = 0x80 | ((c >> 6) & 0x3f); b[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      b[p++] = 0xe0 | (c >> 12); b[p++] = 0x80 | ((c >> 6) & 0x3f); b[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

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

/** The entries of a block, in order, as views (for tests and inspection; merges and searches walk blocks in place). */
export function* blockEntries(block: Uint8Array): Generator<Entry> {
  const c = new BlockCursor();
  c.reset(block);
  while (c.next()) yield { hash: c.hash, key: c.bytes.subarray(c.keyAt, c.keyAt + c.keyLen), df: c.df, last: c.last, postings: c.postings() };
}

/**
 * Finds the entries of `wanted` keys in a block without allocating for the others: `wanted` maps a hash to the
 * keys (UTF-8) of that hash; `found(key, df, postings)` is called for each key the block holds.
 */
export function scanBlock<K extends { bytes: Uint8Array }>(block: Uint8Array, wanted: ReadonlyMap<number, readonly K[]>, found: (key: K, df: number, postings: Uint8Array) => void): void {
  const r = new ByteReader(block);
  const end = block.length;
  while (r.pos < end) {
    const kl = r.varint();
    const keyAt = r.pos;
    r.pos += kl;
    const df = r.varint();
    r.varint();
    const pl = r.varint();
    const keys = wanted.get(hashUtf8(block, keyAt, kl));
    if (keys !== undefined) {
      for (const k of keys) if (k.bytes.length === kl && sameBytes(block, keyAt, k.bytes)) found(k, df, block.subarray(r.pos, r.pos + pl));
    }
    r.pos += pl;
  }
}

function sameBytes(block: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (block[at + i] !== key[i]) return false;
  return true;
}

/**
 * Walks a block's entries in place, without an object per entry: after `next()` the fields describe the current
 * entry (merges go through millions of entries).
 */
export class BlockCursor {
  private block: Uint8Array = new Uint8Array(0);
  private pos = 0;
  hash = 0;
  keyAt = 0;
  keyLen = 0;
  df = 0;
  last = 0;
  postAt = 0;
  postLen = 0;

  get bytes(): Uint8Array { return this.block; }

  private r = new ByteReader(this.block);

  reset(block: Uint8Array): void {
    // A plain view: subarrays of a Node Buffer are much dearer to make.
    this.block = new Uint8Array(block.buffer, block.byteOffset, block.byteLength);
    this.r = new ByteReader(this.block);
    this.pos = 0;
  }

  next(): boolean {
    if (this.pos >= this.block.length) return false;
    const r = this.r;
    r.pos = this.pos;
    this.keyLen = r.varint();
    this.keyAt = r.pos;
    this.hash = hashUtf8(this.block, this.keyAt, this.keyLen);
    r.pos += this.keyLen;
    this.df = r.varint();
    this.last = r.varint();
    this.postLen = r.varint();
    this.postAt = r.pos;
    this.pos = r.pos + this.postLen;
    return true;
  }

  /** Entry order of this cursor's entry against another's. */
  compare(o: BlockCursor): number {
    if (this.hash !== o.hash) return this.hash < o.hash ? -1 : 1;
    const n = Math.min(this.keyLen, o.keyLen);
    for (let i = 0; i < n; i++) {
      const d = this.block[this.keyAt + i] - o.block[o.keyAt + i];
      if (d) return d;
    }
    return this.keyLen - o.keyLen;
  }

  postings(): Uint8Array { return this.block.subarray(this.postAt, this.postAt + this.postLen); }
}

/** Writes one posting (after the first, `gap` is the distance from the previous number). */
function writePosting(w: ByteWriter, gap: number, tf: number, len: number): void {
  w.varint(gap);
  if (tf === 1) w.varint(len * 2);
  else {
    w.varint(len * 2 + 1);
    w.varint(tf);
  }
}

const postingSize = (gap: number, tf: number, len: number) => varintSize(gap) + varintSize(len * 2 + (tf === 1 ? 0 : 1)) + (tf === 1 ? 0 : varintSize(tf));

/** Encodes ascending postings (num, tf, token count). */
export function encodePostings(w: ByteWriter, nums: ArrayLike<number>, tfs: ArrayLike<number>, lens: ArrayLike<number>): void {
  for (let i = 0; i < nums.length; i++) writePosting(w, i === 0 ? nums[i] : nums[i] - nums[i - 1], tfs[i], lens[i]);
}

/** Calls `each(num, tf, len)` for every posting of an entry, in num order. */
export function forEachPosting(postings: Uint8Array, each: (num: number, tf: number, len: number) => void): void {
  const r = new ByteReader(postings);
  let num = -1;
  while (r.pos < postings.length) {
    const gap = r.varint();
    num = num < 0 ? gap : num + gap;
    const v = r.varint();
    each(num, v & 1 ? r.varint() : 1, Math.floor(v / 2));
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
  add(hash: number, key: Uint8Array | string | BlockCursor, df: number, last: number, postings: Uint8Array | ByteWriter): void {
    const w = this.begin(hash);
    if (typeof key === 'string') w.utf8(key);
    else if (key instanceof BlockCursor) {
      w.varint(key.keyLen);
      w.range(key.bytes, key.keyAt, key.keyLen);
    } else {
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
  addList(hash: number, prefix: string, token: string, nums: Int32Array, tfs: Int32Array, lens: Int32Array, from: number, to: number, offset = 0): void {
    const w = this.begin(hash);
    w.utf8(prefix, token);
    w.varint(to - from);
    w.varint(nums[to - 1] + offset);
    let size = 0;
    for (let i = from; i < to; i++) size += postingSize(i === from ? nums[i] + offset : nums[i] - nums[i - 1], tfs[i], lens[i]);
    w.varint(size);
    for (let i = from; i < to; i++) writePosting(w, i === from ? nums[i] + offset : nums[i] - nums[i - 1], tfs[i], lens[i]);
  }

  /** Starts an entry of `hash`: a full block closes first, unless it ends with the same hash (a hash stays in one block). */
  private begin(hash: number): ByteWriter {
    if (this.first >= 0 && this.w.pos >= this.target && hash !== this.lastHash) this.close();
    if (this.first < 0) this.first = hash;
    this.lastHash = hash;
    return this.w;
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
 * Appends a posting list (bytes at…at+n of `b`) after one that ended at number `prevLast` (−1: none): its bytes
 * are copied, only its first number is re-encoded as the gap from `prevLast`. Lists must come in number order.
 */
export function appendPostings(w: ByteWriter, b: Uint8Array, at: number, n: number, prevLast: number): void {
  if (prevLast < 0) { w.range(b, at, n); return; }
  let p = at;
  let x = b[p++];
  let first = x & 0x7f;
  for (let shift = 128; x >= 0x80; shift *= 128) { x = b[p++]; first += (x & 0x7f) * shift; }
  if (first <= prevLast) throw new Error('kb index: posting lists to join overlap');
  w.varint(first - prevLast);
  w.range(b, p, at + n - p);
}

/** The postings of several entries of one key, each covering a later, disjoint number range, as one list. */
export function joinPostings(w: ByteWriter, parts: ReadonlyArray<{ last: number; postings: Uint8Array }>): void {
  let prev = -1;
  for (const p of parts) {
    appendPostings(w, p.postings, 0, p.postings.length, prev);
    prev = p.last;
  }
}
