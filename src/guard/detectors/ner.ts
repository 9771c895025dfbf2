import type { RawFinding } from '../types.ts';
import { readFileSync } from 'node:fs';
import { decodeModel, spansOf, viterbi } from '../ner/model.ts';
import type { NerModel, Span } from '../ner/model.ts';
import * as F from '../ner/features.ts';

/**
 * Person names and street-level addresses from the trained tagger (ner/), combined with the rule
 * detectors (names.ts, address.ts). The tagger runs only on windows around characters that can start a
 * name (the model's gate), runs of transliteration characters, road/village characters (路街巷弄村) and the
 * rule findings, so ordinary text costs
 * little. Combination:
 * - a name the tagger finds is reported with its own boundaries ("ner");
 * - a rule name is kept on its own only when its evidence is strong (a "姓名：" label, a phone/ID beside it,
 *   a gender after it); a title, verb or weak-label rule name needs the tagger to agree (then the tagger's
 *   span, which does not take "展银行" out of "深圳发展银行副行长");
 * - a rule address with a house/room number stands; one without a number needs the tagger to agree;
 *   the tagger's own street-level addresses are added.
 */
const { LEX_TRANS, O } = F;
const lexBits = F.lexBits;

let shared: NerModel | null = null;

/** Where the shipped model is: a data file beside the code, written by `npm run train:ner`. */
export const NER_MODEL_FILE = new URL('../data/ner-model.bin', import.meta.url);

/**
 * The shipped model, read and decoded once per process when the first guard is created (≈ 10 ms, ≈ 1.3 MB
 * of memory) — like loading a module, never during a scan.
 */
export function defaultNerModel(): NerModel {
  shared ??= decodeModel(readFileSync(NER_MODEL_FILE));
  return shared;
}

// Address characters that open a window of the characters before them.
const ADDR_ANCHOR = new Uint8Array(65536);
for (const ch of '路街巷弄村') ADDR_ANCHOR[ch.charCodeAt(0)] = 1;

function isCjk(c: number): boolean {
  return c >= 0x4e00 && c <= 0x9fa5;
}

let windows = new Int32Array(256);
let tags = new Uint8Array(256);

/** Characters covered by windows in the last call (for the benchmark's coverage figure). */
export let lastCoverage = 0;

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
  let transEnd = 0;
  for (let i = 0; i < n; i++) {
    while (x < extra.length && extra[x][0] <= i) { add(extra[x][0], extra[x][1]); x++; }
    const c = text.charCodeAt(i);
    if (c < 0x3000) continue;
    if ((lexBits(c) & LEX_TRANS) !== 0 && i >= transEnd) {
      // Transliterated names run on (沙波什尼科夫, 丹尼斯·霍珀): a run of three or more such characters.
      let j = i + 1;
      while (j < n && j - i < 24 && ((lexBits(text.charCodeAt(j)) & LEX_TRANS) !== 0 || text.charCodeAt(j) === 0xb7)) j++;
      transEnd = j;
      if (j - i >= 3) {
        add(i - 1, j + 2);
        continue;
      }
    }
    if (gate[c] === 1 && isCjk(text.charCodeAt(i + 1))) add(i - 1, i + 5);
    else if (ADDR_ANCHOR[c] === 1) add(i - 12, i + 2);
  }
  while (x < extra.length) { add(extra[x][0], extra[x][1]); x++; }
  lastCoverage = 0;
  for (let w = 0; w < wc; w += 2) lastCoverage += windows[w + 1] - windows[w];
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

// Last characters that make a span a state, dynasty, temple, street or place rather than a person (吴国, 周朝,
// 孔庙): for two-character spans a wider set (吴王, 阳宁君), since a three-character name may end in 国 (张建国).
const NOT_NAME_END = new Set([...'朝庙街路诗县省市州岛寺郡']);
const NOT_NAME_END_SHORT = new Set([...'朝庙街路诗县省市州岛寺郡国王帝君城']);

/** Whether a tagger name span is shaped like a name. */
export function nameShapeOk(text: string, start: number, end: number): boolean {
  const last = text[end - 1];
  return end - start === 2 ? !NOT_NAME_END_SHORT.has(last) : !NOT_NAME_END.has(last);
}

const STREET_END = new Set([...'路街巷弄道里村号室栋幢楼园苑庄屯院座层户段邨坊']);
const NOT_ADDRESS = /铁路|公路|高速|线路|道路|路线|之路|[。；;！!？?]|(?:^|[^\d一二三四五六七八九十百零〇])[一二三四五六七八九十]+号(?![院楼])/;
const NUMBERED = /\d号/;

/**
 * Whether a tagger address span (or a rule one without a house number) is shaped like a street address:
 * at least three characters, ending in a street, village, building or number suffix (not 塞浦路斯, 卡路),
 * not a railway or highway (京九铁路), not a figurative road (丝绸之路, 复兴之路), not across a sentence, not a numbered satellite or signal (东方红一号).
 */
export function addressShapeOk(text: string, start: number, end: number): boolean {
  if (end - start < 3) return false;
  const span = text.slice(start, end);
  if (!STREET_END.has(span[span.length - 1]) && !/\d$/.test(span)) return false;
  return NUMBERED.test(span) || !NOT_ADDRESS.test(span);
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
      if (f.detector === 'address.number') kept.push(f);
      else if (spans.some((s) => s.type === 'address' && overlaps(s, f)) && addressShapeOk(text, f.start, f.end)) kept.push(f);
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
    if (s.type === 'person_name' ? !nameShapeOk(text, s.start, s.end) : !addressShapeOk(text, s.start, s.end)) continue;
    out.push({ type: s.type, start: s.start, end: s.end, score: Math.round(s.score * 1000) / 1000, detector: 'ner' });
  }
}
