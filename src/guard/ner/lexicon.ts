/**
 * Word lists the tagger consults (ner/features.ts): for each string of 2–4 characters, which lists hold it —
 * common words, person names, places, organisations, words a dictionary tags as names. A compact open-addressing set of 32-bit hashes (one
 * slot: 24 bits of the hash above the index bits, 8 bits of list membership), so a lookup is one or two
 * memory reads and no string is built; a false hit needs two strings agreeing in 24 further bits (about one
 * lookup in 16 million), which costs a feature, never an offset.
 */
export const LEX_WORD = 1;
export const LEX_NAME = 2;
export const LEX_PLACE = 4;
export const LEX_ORG = 8;
/** Words a general dictionary tags as names: often names, often not (jieba tags 明白 and 莫斯科 so). */
export const LEX_NAME_TAGGED = 16;
/** Bits of list membership. */
export const LIST_BITS = 5;
export const MIN_LEN = 2;
export const MAX_LEN = 4;

export const HASH_SEED = 0x811c9dc5;

/** One step of the rolling hash over folded characters (features.ts: stringHash, prepare). */
export function step(h: number, c: number): number {
  h = Math.imul(h ^ c, 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

export class Lexicon {
  readonly bits: number;
  readonly slots: Uint32Array;
  readonly #mask: number;

  constructor(bits: number, slots?: Uint32Array) {
    this.bits = bits;
    this.#mask = (1 << bits) - 1;
    this.slots = slots ?? new Uint32Array(1 << bits);
    if (this.slots.length !== 1 << bits) throw new Error('lexicon size does not match its bits');
  }

  static fingerprint(h: number): number {
    const f = (h >>> 8) & 0xffffff;
    return f === 0 ? 1 : f;
  }

  /** Add the membership bits `lists` to the string with hash h. */
  add(h: number, lists: number): void {
    const f = Lexicon.fingerprint(h);
    for (let i = h & this.#mask, n = 0; n <= this.#mask; i = (i + 1) & this.#mask, n++) {
      const s = this.slots[i];
      if (s === 0) { this.slots[i] = ((f << 8) | lists) >>> 0; return; }
      if (s >>> 8 === f) { this.slots[i] = (s | lists) >>> 0; return; }
    }
    throw new Error('lexicon is full');
  }

  /** The membership bits of the string with hash h (0 when in no list). */
  lookup(h: number): number {
    const f = Lexicon.fingerprint(h);
    const slots = this.slots;
    const mask = this.#mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === 0) return 0;
      if (s >>> 8 === f) return s & 255;
    }
  }

  /** Entries in use (for the size report). */
  count(): number {
    let n = 0;
    for (const s of this.slots) if (s !== 0) n++;
    return n;
  }
}
