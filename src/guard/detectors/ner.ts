import type { RawFinding } from '../types.ts';
import { NER_MODEL_BASE64 } from '../data/ner-model.ts';
import { decodeModel, spansOf, viterbi } from '../ner/model.ts';
import type { NerModel, Span } from '../ner/model.ts';
import * as F from '../ner/features.ts';

/**
 * Person names and street-level addresses from the trained tagger (ner/), combined with the rule
 * detectors (names.ts, address.ts). The tagger runs only on windows around characters that can start a
 * name (the model's gate), address characters (路街号村室…) and the rule findings, so ordinary text costs
 * little. Combination:
 * - a name the tagger finds is reported with its own boundaries ("ner");
 * - a rule name is kept on its own only when its evidence is strong (a "姓名：" label, a phone/ID beside it,
 *   a gender after it); a title, verb or weak-label rule name needs the tagger to agree (then the tagger's
 *   span, which does not take "展银行" out of "深圳发展银行副行长");
 * - a rule address with a house/room number stands; one without a number needs the tagger to agree;
 *   the tagger's own street-level addresses are added.
 */
const { LEX_TRANS, LEX_ADDR, O } = F;
const lexBits = F.lexBits;

let shared: NerModel | null = null;

/** The shipped model, decoded once per process (≈ 10 ms, ≈ 1.3 MB of memory). */
export function defaultNerModel(): NerModel {
  shared ??= decodeModel(Buffer.from(NER_MODEL_BASE64, 'base64'));
  return shared;
}

// Address characters that open a window of the characters before them.
const ADDR_ANCHOR = new Uint8Array(65536);
for (const ch of '路街巷弄号村室栋幢') ADDR_ANCHOR[ch.charCodeAt(0)] = 1;

function isCjk(c: number): boolean {
  return c >= 0x4e00 && c <= 0x9fa5;
}

let windows = new Int32Array(256);
let tags = new Uint8Array(256);

/** Windows [start, end) to tag, merged, ascending. Returns the number of pairs written to `windows`. */
function collectWindows(text: string, model: NerModel, rules: readonly RawFinding[], from: number, count: number): number {
  const n = text.length;
  const gate = model.gate;
  let wc = 0;
  let lastEnd = -1;
  const add = (s: number, e: number): void => {
    if (s < 0) s = 0;
    if (e > n) e = n;
    if (e <= s) return;
    if (wc > 0 && s <= lastEnd + 1) {
      if (e > lastEnd) windows[wc - 1] = lastEnd = e;
      return;
    }
    if (windows.length < wc + 2) {
      const bigger = new Int32Array(windows.length * 2);
      bigger.set(windows);
      windows = bigger;
    }
    windows[wc++] = s;
    windows[wc++] = lastEnd = e;
  };
  // Rule findings first would break the ascending order; collect them as extra starts merged below.
  const extra: Array<[number, number]> = [];
  for (let k = from; k < count; k++) {
    const f = rules[k];
    if (f.type === 'person_name' || f.type === 'address') extra.push([f.start - 2, f.end + 2]);
  }
  extra.sort((a, b) => a[0] - b[0]);
  let x = 0;
  for (let i = 0; i < n; i++) {
    while (x < extra.length && extra[x][0] <= i) { add(extra[x][0], extra[x][1]); x++; }
    const c = text.charCodeAt(i);
    if (c < 0x3000) continue;
    if (gate[c] === 1 && isCjk(text.charCodeAt(i + 1))) {
      let e = i + 5;
      // Transliterated names run on: 沙波什尼科夫, 丹尼斯·霍珀.
      if ((lexBits(c) & LEX_TRANS) !== 0) {
        let j = i + 1;
        while (j < n && j - i < 24 && ((lexBits(text.charCodeAt(j)) & LEX_TRANS) !== 0 || text.charCodeAt(j) === 0xb7)) j++;
        if (j + 2 > e) e = j + 2;
      }
      add(i - 1, e);
    } else if (ADDR_ANCHOR[c] === 1 && (lexBits(c) & LEX_ADDR) !== 0) {
      add(i - 12, i + 4);
    }
  }
  while (x < extra.length) { add(extra[x][0], extra[x][1]); x++; }
  return wc;
}

/** Tagger spans over the windows of the text, ascending. */
export function tagWindows(text: string, model: NerModel, rules: readonly RawFinding[], from = 0): Span[] {
  const spans: Span[] = [];
  const wc = collectWindows(text, model, rules, from, rules.length);
  for (let w = 0; w < wc; w += 2) {
    const s = windows[w];
    let e = windows[w + 1];
    for (let round = 0; round < 3; round++) {
      const len = e - s;
      if (tags.length < len) tags = new Uint8Array(len * 2);
      viterbi(model, text, s, e, tags);
      // A span running into the window's end may go on: widen and tag again.
      if (tags[len - 1] === O || e >= text.length || round === 2) break;
      e = Math.min(text.length, e + 6);
    }
    spansOf(model, tags, s, e - s, spans);
  }
  return spans;
}

const STRONG_NAME = new Set(['names.label', 'names.pii', 'names.gender']);

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Replace the rule findings out[from, …) of type person_name and address by the combination with the
 * tagger (see above). Other findings are left as they are.
 */
export function combineWithTagger(
  text: string, out: RawFinding[], from: number, model: NerModel, wantName: boolean, wantAddress: boolean,
): void {
  const spans = tagWindows(text, model, out, from);
  const kept: RawFinding[] = [];
  for (let k = from; k < out.length; k++) {
    const f = out[k];
    if (f.type === 'person_name') {
      if (STRONG_NAME.has(f.detector)) kept.push(f);
      else if (!spans.some((s) => s.type === 'person_name' && overlaps(s, f))) continue;
    } else if (f.type === 'address') {
      if (f.detector === 'address.number' || spans.some((s) => s.type === 'address' && overlaps(s, f))) kept.push(f);
    } else kept.push(f);
  }
  out.length = from;
  for (const f of kept) out.push(f);
  for (const s of spans) {
    if (s.type === 'person_name' ? !wantName : !wantAddress) continue;
    // A rule finding that stands keeps its own boundaries.
    if (kept.some((f) => f.type === s.type && overlaps(f, s))) continue;
    // Keep at least two characters: a single character is never reported as a name.
    if (s.end - s.start < 2) continue;
    out.push({ type: s.type, start: s.start, end: s.end, score: Math.round(s.score * 1000) / 1000, detector: 'ner' });
  }
}
