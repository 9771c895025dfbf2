/**
 * Aho–Corasick automaton over UTF-16 code units. Transitions live in one Map keyed by node * 65536 + code
 * unit, so tens of thousands of terms cost memory, not scan time. ASCII letters are matched case-insensitively.
 */
import { asciiLower } from './chars.ts';
export interface AcMatch {
  start: number;
  end: number;
  /** Index of the term in the list given to the constructor. */
  term: number;
}

const KEY = 65536;


function hash(node: number, c: number): number {
  return Math.imul(node, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b);
}

export class AhoCorasick {
  readonly #goto = new Map<number, number>();
  #fail: Int32Array;
  /** Term index ending at a node (longest term for the node itself), or -1. */
  #out: Int32Array;
  /** Nearest node on the failure chain that has an output, or -1. */
  #dict: Int32Array;
  readonly #lengths: number[];
  readonly #rootChars = new Uint8Array(65536);
  /** Transitions out of the root, by code unit (0 = none): most positions are looked up here, not in the Map. */
  readonly #rootGoto = new Int32Array(65536);
  #mask = 0;
  #hNode: Int32Array;
  #hChar: Int32Array;
  #hNext: Int32Array;

  constructor(terms: readonly string[]) {
    this.#lengths = terms.map((t) => t.length);
    const outs: number[] = [-1];
    let nodes = 1;
    for (let t = 0; t < terms.length; t++) {
      const term = terms[t];
      if (!term) continue;
      let node = 0;
      for (let i = 0; i < term.length; i++) {
        const c = asciiLower(term.charCodeAt(i));
        if (node === 0) {
          this.#rootChars[c] = 1;
          if (c >= 97 && c <= 122) this.#rootChars[c - 32] = 1;
        }
        const key = node * KEY + c;
        let next = this.#goto.get(key);
        if (next === undefined) {
          next = nodes++;
          this.#goto.set(key, next);
          outs.push(-1);
        }
        node = next;
      }
      if (outs[node] < 0) outs[node] = t;
    }
    for (let c = 0; c < 65536; c++) this.#rootGoto[c] = this.#goto.get(c) ?? 0;
    // The scan looks transitions up in an open-addressing table (node, code unit) → child: typed arrays
    // instead of Map.get on keys too large to be small integers.
    let cap = 1024;
    while (cap < this.#goto.size * 2) cap *= 2;
    this.#mask = cap - 1;
    this.#hNode = new Int32Array(cap).fill(-1);
    this.#hChar = new Int32Array(cap);
    this.#hNext = new Int32Array(cap);
    for (const [key, child] of this.#goto) {
      const node = Math.floor(key / KEY);
      const c = key % KEY;
      let h = hash(node, c) & this.#mask;
      while (this.#hNode[h] !== -1) h = (h + 1) & this.#mask;
      this.#hNode[h] = node;
      this.#hChar[h] = c;
      this.#hNext[h] = child;
    }
    this.#out = Int32Array.from(outs);
    this.#fail = new Int32Array(nodes);
    this.#dict = new Int32Array(nodes).fill(-1);
    // Children per node, for the breadth-first pass that fills failure links.
    const children: Array<Array<[number, number]>> = Array.from({ length: nodes }, () => []);
    for (const [key, child] of this.#goto) children[Math.floor(key / KEY)].push([key % KEY, child]);
    const queue: number[] = [];
    for (const [, child] of children[0]) queue.push(child);
    for (let qi = 0; qi < queue.length; qi++) {
      const node = queue[qi];
      for (const [c, child] of children[node]) {
        let f = this.#fail[node];
        let target = this.#goto.get(f * KEY + c);
        while (target === undefined && f !== 0) {
          f = this.#fail[f];
          target = this.#goto.get(f * KEY + c);
        }
        const fc = target !== undefined && target !== child ? target : 0;
        this.#fail[child] = fc;
        this.#dict[child] = this.#out[fc] >= 0 ? fc : this.#dict[fc];
        queue.push(child);
      }
    }
  }

  /** Child of a non-root node on code unit c, or -1. */
  #child(node: number, c: number): number {
    const mask = this.#mask;
    const hNode = this.#hNode;
    for (let h = hash(node, c) & mask; ; h = (h + 1) & mask) {
      const n = hNode[h];
      if (n === -1) return -1;
      if (n === node && this.#hChar[h] === c) return this.#hNext[h];
    }
  }

  /** All matches, overlapping ones included, in order of end offset. */
  findAll(text: string): AcMatch[] {
    const found: AcMatch[] = [];
    const rootChars = this.#rootChars;
    const rootGoto = this.#rootGoto;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const raw = text.charCodeAt(i);
      if (node === 0 && rootChars[raw] === 0) continue;
      const c = asciiLower(raw);
      let next = node === 0 ? rootGoto[c] : this.#child(node, c);
      while (next === -1) {
        node = this.#fail[node];
        next = node === 0 ? rootGoto[c] : this.#child(node, c);
      }
      node = next;
      let o = this.#out[node] >= 0 ? node : this.#dict[node];
      while (o >= 0) {
        const term = this.#out[o];
        found.push({ start: i + 1 - this.#lengths[term], end: i + 1, term });
        o = this.#dict[o];
      }
    }
    return found;
  }

  /** Leftmost-longest non-overlapping matches. */
  findLongest(text: string): AcMatch[] {
    const all = this.findAll(text);
    if (all.length < 2) return all;
    all.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: AcMatch[] = [];
    let lastEnd = -1;
    for (const m of all) {
      if (m.start >= lastEnd) {
        kept.push(m);
        lastEnd = m.end;
      }
    }
    return kept;
  }
}
