import type { RawFinding } from '../types.ts';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as M from '../ner/model.ts';
import * as Ch from '../chars.ts';
import type { NerModel, Span } from '../ner/model.ts';
import * as F from '../ner/features.ts';
import { STREET_LEVEL } from '../ner/street.ts';
import { KeywordIndex } from '../keywords.ts';
import { NAME_CUES, NAME_VERBS, TITLE_SUFFIXES } from '../data/names.ts';
import { COUNTRIES } from '../data/places.ts';

/**
 * Person names and street-level addresses from the trained tagger (ner/), combined with the rule
 * detectors (names.ts, address.ts). The tagger runs only on windows (collectWindows), so ordinary text
 * costs less than tagging all of it:
 * - where a name may start: a character of the model's gate followed by one that, with it, starts names in
 *   the training data often enough (the gate's pairs: 张伟 and 施建兵 open a window, 介绍, 上的 and 历史 do
 *   not; bench/train-ner.ts, nameGate);
 * - after a title or label (副行长, 记者, 姓名) and before a speech verb (表示, 说), whatever the characters;
 * - after @ (a social-media handle, //@段钢:, where a name or nickname stands);
 * - runs of transliteration characters; road, village and building characters (路街巷弄村, 大道, 胡同, 大厦, 花园,
 *   小区, 公寓), reaching back 12 characters, whether or not a name may start there too; the rule findings.
 * Combination:
 * - a name the tagger finds is reported with its own boundaries ("ner") when it is shaped like a name (nameShape,
 *   inPlaceList) and the text nowhere shows the same string to be a place or object (one sense per text);
 * - a rule name is kept on its own only when its evidence is strong (a "姓名：" label, a phone/ID beside it,
 *   a gender after it); a title, verb or weak-label rule name needs the tagger to agree (then the tagger's
 *   span, which does not take "展银行" out of "深圳发展银行副行长");
 * - a rule address with a house/room number stands; one without a number needs the tagger to agree;
 *   the tagger's own street-level addresses are added.
 */
const { LEX_SURNAME, LEX_TRANS, LEX_TOP_SURNAME, O, PAD } = F;
const lexBits = F.lexBits;
const viterbi = M.viterbi;
const GATE_OPEN = M.GATE_OPEN;
const spansOf = M.spansOf;
const isIdeograph = Ch.isIdeograph;

const CUE_BEFORE = new Set<string>([...TITLE_SUFFIXES, ...F.EXTRA_TITLES, ...NAME_CUES]);
const CUE_AFTER = new Set<string>(NAME_VERBS.filter((v) => v !== '于' && v !== '已于'));
const CUES = new KeywordIndex([...CUE_BEFORE, ...CUE_AFTER]);

let shared: NerModel | null = null;

/** Where the shipped model is: a gzip-compressed data file beside the code, written by `npm run train:ner`. */
export const NER_MODEL_FILE = new URL('../data/ner-model.bin.gz', import.meta.url);

/**
 * The shipped model, read and decoded once per process when the first guard is created (≈ 60 ms,
 * ≈ 30 MB of memory) — like loading a module, never during a scan.
 */
export function defaultNerModel(): NerModel {
  shared ??= M.decodeModel(gunzipSync(readFileSync(NER_MODEL_FILE)));
  return shared;
}

// Address characters that open a window of the characters before them (and a few after: the tagger reads
// a street's end better with what follows it); 道 and 同 only in 大道 and 胡同.
const ADDR_ANCHOR = new Uint16Array(65536);
for (const ch of '路街巷弄村') ADDR_ANCHOR[ch.charCodeAt(0)] = 1;
ADDR_ANCHOR['道'.charCodeAt(0)] = '大'.charCodeAt(0);
ADDR_ANCHOR['同'.charCodeAt(0)] = '胡'.charCodeAt(0);
// Buildings and estates: 大厦, 花园, 小区, 公寓 (street.ts counts them street-level).
ADDR_ANCHOR['厦'.charCodeAt(0)] = '大'.charCodeAt(0);
ADDR_ANCHOR['园'.charCodeAt(0)] = '花'.charCodeAt(0);
ADDR_ANCHOR['区'.charCodeAt(0)] = '小'.charCodeAt(0);
ADDR_ANCHOR['寓'.charCodeAt(0)] = '公'.charCodeAt(0);

const NOT_A_STREET_BEFORE = new Uint8Array(65536);
for (const ch of '铁公线航水道之丝') NOT_A_STREET_BEFORE[ch.charCodeAt(0)] = 1;

function isDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 0xff10 && c <= 0xff19);
}


let windows = new Int32Array(256);
let tags = new Uint8Array(256);

let windowCount = 0;

/**
 * Add window [s, e) (clipped to [0, n)), merged with the windows before it that it overlaps or comes closer
 * to than the context the tagger reads around them anyway (PAD): they are tagged as one. Windows stay
 * ascending and apart, whatever order they come in (an address window reaches back before a name's).
 */
function addWindow(s: number, e: number, n: number): void {
  if (s < 0) s = 0;
  if (e > n) e = n;
  if (e <= s) return;
  while (windowCount > 0 && s <= windows[windowCount - 1] + PAD && e + PAD >= windows[windowCount - 2]) {
    if (windows[windowCount - 2] < s) s = windows[windowCount - 2];
    if (windows[windowCount - 1] > e) e = windows[windowCount - 1];
    windowCount -= 2;
  }
  if (windows.length < windowCount + 2) {
    const bigger = new Int32Array(windows.length * 2);
    bigger.set(windows);
    windows = bigger;
  }
  windows[windowCount++] = s;
  windows[windowCount++] = e;
}

/** A rule address with a house or room number: it stands whatever the tagger says. */
function standingAddress(f: RawFinding): boolean {
  return f.type === 'address' && f.detector === 'address.number';
}

/** Windows [start, end) to tag, merged, ascending. Returns the number of pairs written to `windows`. */
function collectWindows(text: string, model: NerModel, rules: readonly RawFinding[], from: number, count: number): number {
  const n = text.length;
  const gate = model.gate;
  const pairs = model.gatePairSet;
  windowCount = 0;
  // Rule findings first would break the ascending order; collect them as extra starts merged below.
  const extra: Array<[number, number]> = [];
  // A rule address with a house or room number stands whatever the tagger says (combineWithTagger), and a
  // name or address found inside it would overlap it: nothing inside one opens a window.
  let standing: Array<[number, number]> | null = null;
  for (let k = from; k < count; k++) {
    const f = rules[k];
    if (standingAddress(f)) (standing ??= []).push([f.start, f.end]);
    else if (f.type === 'person_name' || f.type === 'address') extra.push([f.start - 2, f.end + 2]);
  }
  extra.sort((a, b) => a[0] - b[0]);
  standing?.sort((a, b) => a[0] - b[0]);
  let x = 0;
  let y = 0;
  let transEnd = 0;
  for (let i = 0; i < n; i++) {
    while (x < extra.length && extra[x][0] <= i) { addWindow(extra[x][0], extra[x][1], n); x++; }
    if (standing !== null) {
      while (y < standing.length && standing[y][1] <= i) y++;
      if (y < standing.length && standing[y][0] <= i) { i = standing[y][1] - 1; continue; }
    }
    const c = text.charCodeAt(i);
    if (c < 0x3000) {
      // A social-media handle (@段钢:) is where a person's name or nickname stands.
      if ((c === 64 || c === 0xff20) && i + 1 < n && isIdeograph(text.charCodeAt(i + 1))) addWindow(i, i + 7, n);
      continue;
    }
    if ((lexBits(c) & LEX_TRANS) !== 0 && i >= transEnd) {
      // Transliterated names run on (沙波什尼科夫, 丹尼斯·霍珀): a run of three or more such characters.
      let j = i + 1;
      while (j < n && j - i < 24 && ((lexBits(text.charCodeAt(j)) & LEX_TRANS) !== 0 || text.charCodeAt(j) === 0xb7)) j++;
      transEnd = j;
      if (j - i >= 3) {
        addWindow(i - 1, j + 2, n);
        continue;
      }
    }
    const g = gate[c];
    let pass = false;
    if (g !== 0) {
      const d = text.charCodeAt(i + 1);
      pass = isIdeograph(d) && (g === GATE_OPEN) !== pairs.has(((c << 16) | d) >>> 0);
    }
    if (CUES.startsWith(c)) {
      const w = CUES.at(text, i);
      if (w !== undefined) {
        if (CUE_BEFORE.has(w)) addWindow(i - 1, i + w.length + 5, n);
        if (CUE_AFTER.has(w) && !pass) {
          // A name before a verb is ideographs (or a transliteration's dot): the window starts after a digit,
          // letter or punctuation mark (13812345678。告诉他 needs none).
          let s = i;
          while (s > 0 && i - s < 6 && (isIdeograph(text.charCodeAt(s - 1)) || text.charCodeAt(s - 1) === 0xb7)) s--;
          if (s < i) addWindow(s, i + 3, n);
        }
      }
    }
    if (pass) addWindow(i - 1, i + 5, n);
    // An address window too, whether or not a name may start here (路 is also a surname: 韶山路采访).
    const a = ADDR_ANCHOR[c];
    if (a !== 0) {
      const before = i > 0 ? text.charCodeAt(i - 1) : 0;
      // After 铁公线航水道之丝 a road is a railway, a highway or a figure of speech (street.ts): no window.
      if ((a === 1 && NOT_A_STREET_BEFORE[before] === 0) || (a > 1 && before === a)) addWindow(i - 12, i + 6, n);
    }
  }
  while (x < extra.length) { addWindow(extra[x][0], extra[x][1], n); x++; }
  let covered = 0;
  for (let w = 0; w < windowCount; w += 2) covered += windows[w + 1] - windows[w];
  // When the windows cover most of the text anyway, one window costs less than several (each reads PAD
  // characters of context on both sides and starts its own decoding).
  if (windowCount > 2 && covered * 2 > n) {
    windows[0] = 0;
    windows[1] = n;
    windowCount = 2;
  }
  return windowCount;
}

/** The windows the tagger would read in text (with the rule findings `rules`), as [start, end) pairs. */
export function candidateWindows(text: string, model: NerModel, rules: readonly RawFinding[] = []): Array<[number, number]> {
  const wc = collectWindows(text, model, rules, 0, rules.length);
  const out: Array<[number, number]> = [];
  for (let w = 0; w < wc; w += 2) out.push([windows[w], windows[w + 1]]);
  return out;
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
const NOT_NAME_END = new Set([...'朝庙街路诗县省市州岛寺郡语']);
const NOT_NAME_END_SHORT = new Set([...'朝庙街路诗县省市州岛寺郡语国王帝君城代']);

/**
 * Words that, right after a span, make it the name of a language, people, place, craft or thing rather than of
 * a person (艾努语, 粟特人, 斯巴达城, 达尔布卡鼓, 伊维菌素, 查林杰海渊) — unless they begin a title (张伟市长, 李明站长).
 */
const NOT_NAME_NEXT = new Set([...'语族岛港湾峡河湖省州县市镇村邨线龙鼓菌城宫寺庙洲邦郡']);
const NEXT_WORDS = /^(?:人(?=$|[，。、；的和与])|上的|海渊|大道|路(?![过上])|街|公园|战役|王朝|帝国|王国|群岛|半岛|山脉|地区)/;
const PLACE_VERB_BEFORE = /(?:前往|赶往|逃到|逃往|迁往|迁至|迁到|入驻|位于|抵达|飞往|定居|移居|途经|驶往|出使|通使|出兵|攻打|攻占|攻陷|占领|收复|出访|到达|回到|返回|驻扎|登陆|远征|入侵|侵略|飞抵|取道|路过)$/;
const CATALOGUE_NEXT = /^[-‐－ ]?[0-9０-９]+[A-Za-zＡ-Ｚａ-ｚ]/;
const TITLE_NEXT = /^(?:市长|省长|县长|镇长|村长|站长|州长|岛主|港督|城主|河长|湖长|宫主|族长|市委|县委|省委)/;

/** nameShape: shaped like a name; not (a thing, a language, a state…); a place or catalogued object, by strong evidence. */
export const SHAPE_OK = 0;
export const SHAPE_NOT = 1;
export const SHAPE_PLACE = 2;

/**
 * Whether a tagger name span is shaped like a name: not ending like a state, temple, street or language, not
 * counted by a number before it, not followed by what makes it a place or thing.
 */
export function nameShapeOk(text: string, start: number, end: number): boolean {
  return nameShape(text, start, end) === SHAPE_OK;
}

/** nameShapeOk with the reason: SHAPE_PLACE when the text says it is a place (逃到斯巴达, 谢尔位于) or a catalogued object (格利泽581b). */
export function nameShape(text: string, start: number, end: number): number {
  const last = text[end - 1];
  if (end - start === 2 ? NOT_NAME_END_SHORT.has(last) : NOT_NAME_END.has(last)) {
    // A poem is named 木兰诗, a person 刘诗诗 or 王珍诗: a three-character span after a common surname is a name.
    if (!(last === '诗' && end - start === 3 && (lexBits(text.charCodeAt(start)) & LEX_TOP_SURNAME) !== 0)) return SHAPE_NOT;
  }
  // One character over and over (超超超, 哈哈 in 哈哈哈哈) is an exclamation or emphasis, not a name; a doubled
  // given name (乐乐, 诗诗) stands alone.
  if (repeated(text, start, end)) return SHAPE_NOT;
  // A topic's # or an & between two names (张#御香君, 岳老三&云中鹤) is no part of a name; a transliteration's dot and
  // a handle's underscore are (NAME_JOINER).
  if (punctuated(text, start, end)) return SHAPE_NOT;
  // A country is a place wherever the text names it (莱索托, 津巴布韦).
  if (end - start <= 6 && COUNTRIES.has(text.slice(start, end))) return SHAPE_PLACE;
  // A long span that took in the word making it a place or thing (查林杰海渊, …群岛, …王朝).
  if (end - start >= 4 && NEXT_WORDS.test(text.slice(end - 2, end))) return SHAPE_NOT;
  // A count comes before a unit or a currency (5迪拉姆, 10索莫尼), not before a name — but a common surname after a
  // year or a number in a handle starts one (#2014徐浩朱元冰签售会#).
  if (start > 0 && isDigit(text.charCodeAt(start - 1)) && !(end - start <= 4 && (lexBits(text.charCodeAt(start)) & LEX_TOP_SURNAME) !== 0)) return SHAPE_NOT;
  // One goes to, settles in or lies in a place (逃到斯巴达, 入驻谢尔, 赶往弗兰肯豪森), not a person.
  // Not when a possessive or a word of location follows: one goes back to a person's home, side or shop (回到张伟家里,
  // 路过张伟的店).
  if (start >= 2 && PLACE_VERB_BEFORE.test(text.slice(Math.max(0, start - 2), start)) && !PERSON_LOCATIVE.test(text.slice(end, end + 3))) return SHAPE_PLACE;
  if (end >= text.length) return SHAPE_OK;
  // A place lies somewhere (谢尔位于罗纳河畔); a catalogue designation has a number and a letter right after
  // (格利泽581b, 开普勒22b), a date does not (克林顿１２日).
  if (PLACE_VERB_AFTER.test(text.slice(end, end + 2)) || CATALOGUE_NEXT.test(text.slice(end, end + 8))) return SHAPE_PLACE;
  // "… is a town / the second city / a country" (韦尔斯则是另一城市；, 斯塔福德是第4大镇（): the predicate says place.
  if (COPULA_PLACE.test(text.slice(end, end + 20))) return SHAPE_PLACE;
  const after = text.slice(end, end + 3);
  if (TITLE_NEXT.test(after)) return SHAPE_OK;
  return !NOT_NAME_NEXT.has(text[end]) && !NEXT_WORDS.test(after) ? SHAPE_OK : SHAPE_NOT;
}
/** Whether text[start, end) is one character repeated, three times or more, or running on beyond the span. */
function repeated(text: string, start: number, end: number): boolean {
  const c = text.charCodeAt(start);
  for (let i = start + 1; i < end; i++) if (text.charCodeAt(i) !== c) return false;
  return end - start >= 3 || (start > 0 && text.charCodeAt(start - 1) === c) || (end < text.length && text.charCodeAt(end) === c);
}
/** A character of a name: an ideograph (one outside the BMP too: 孙𩅦) or a letter. */
function nameChar(c: number): boolean {
  return isIdeograph(c) || (c >= 0xd800 && c <= 0xdfff) || ((c | 32) >= 97 && (c | 32) <= 122);
}
/**
 * What joins the parts of a transliterated name (凯瑟琳·泽塔-琼斯, 施特劳斯—卡恩, 内瓦尔.赛娜, 塞缪尔?柯尔特 where a dot
 * was lost) or of a handle (张_潞淼).
 */
const NAME_JOINER = new Set([...'·•・.．-‐－–—?？_']);
/**
 * Brackets around a rare character written as its two parts, as news text does (何鸿（申音）, 郑乃〈王光〉; the tagger may
 * stop before the closing one).
 */
const PARTS_OPEN = '（(〈';
const PARTS_CLOSE = '）)〉';
/** Whether text[start, end) holds a character other than a name's, a joiner between its parts or a bracketed rare character. */
function punctuated(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (nameChar(text.charCodeAt(i)) || NAME_JOINER.has(text[i])) continue;
    const k = PARTS_OPEN.indexOf(text[i]);
    if (k >= 0 && i > start && i + 3 <= end && text[i + 3] === PARTS_CLOSE[k] && isIdeograph(text.charCodeAt(i + 1)) && isIdeograph(text.charCodeAt(i + 2))) {
      i += 3;
      continue;
    }
    return true;
  }
  return false;
}
/** The span without punctuation at its ends (▪葛尔丹, 「洛基·青木), the tagger's boundary slips; with a rare character's closing bracket. */
function trimmed(text: string, s: Span): Span {
  let a = s.start;
  let b = s.end;
  while (a < b && !nameChar(text.charCodeAt(a))) a++;
  while (b > a && !nameChar(text.charCodeAt(b - 1))) {
    const k = PARTS_CLOSE.indexOf(text[b - 1]);
    if (k >= 0 && b - 4 > a && text[b - 4] === PARTS_OPEN[k]) break;
    b--;
  }
  // The tagger stopped before the closing bracket of a rare character's parts (何鸿（申音）): take it in.
  const k = b - 3 > a ? PARTS_OPEN.indexOf(text[b - 3]) : -1;
  if (k >= 0 && text[b] === PARTS_CLOSE[k] && isIdeograph(text.charCodeAt(b - 2)) && isIdeograph(text.charCodeAt(b - 1))) b++;
  return a === s.start && b === s.end ? s : { ...s, start: a, end: b };
}
const PERSON_LOCATIVE = /^(?:的|家|身边|那里|那儿|这里|这儿|处|手[中里上]|怀[里中]|住[处所地])/;
const PLACE_VERB_AFTER = /^(?:位于|地处|坐落|境内)/;
const COPULA_PLACE = /^(?:则|也|就|乃)?是[^，。；！？、,;]{0,8}?(?:城市|城镇|市镇|小镇|国家|首都|省会|首府|州府|郡治|镇|城|村|岛|港口|港)(?:[，。；（(、,;]|之一|$)/;

/**
 * Whether a tagged place (or a rule address without a house number) is a street address: at least three
 * characters, street-level (ner/street.ts), within one clause.
 */
export function addressShapeOk(text: string, start: number, end: number): boolean {
  if (end - start < 3) return false;
  // A title in book-title marks (《流星花园》, 《塞弗勒小路》) is a work, not a place.
  if (start > 0 && text[start - 1] === '《' && text[end] === '》') return false;
  const span = text.slice(start, end);
  return STREET_LEVEL.test(span) && !SENTENCE_END.test(span) && !ROAD_LENGTH.test(span) && !NOT_A_VILLAGE.test(span);
}
/** 村 after a determiner (各村, 该村, 邻村) or in 度假村 (a resort) ends no village's name (共和村 does: not 和). */
const NOT_A_VILLAGE = /(?:^|[各全本该邻每此])村$|度假村$/;
const SENTENCE_END = /[。；;！!？?，,]/;
/** A length or count of roads (几十里山路, 1公里盘山路, 几条大街) is not an address; 三里屯, 十里河 are (no 几, no digit). */
const ROAD_LENGTH = /(?:几[十百千]?|[0-9０-９]+[.．]?[0-9０-９]*)(?:公里|千米|里|米|条|段)|[一二两三四五六七八九十百千]+(?:公里|千米|条)/;

/**
 * Places the tagger found, with adjacent ones joined (北京市 / 海淀区 / 中关村大街 are tagged as three
 * places, one address): the chains that are street addresses become address spans.
 */
export function addressSpans(text: string, spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  let chain: Span | null = null;
  for (const s of spans) {
    if (s.type !== 'LOC') continue;
    if (chain !== null && s.start === chain.end) {
      chain.end = s.end;
      chain.score = Math.max(chain.score, s.score);
      continue;
    }
    if (chain !== null && addressShapeOk(text, chain.start, chain.end)) out.push(chain);
    chain = { type: 'LOC', start: s.start, end: s.end, score: s.score };
  }
  if (chain !== null && addressShapeOk(text, chain.start, chain.end)) out.push(chain);
  return out;
}

const LIST_SEP = new Set([...'、；;']);

/** Road endings that make a list item a street (协和街、宝琳路); not 道, which ends names (萌圆泰道) as often. */
const ROAD_END = new Set([...'路街巷']);

/**
 * The other items of the list (whole ideograph runs of up to 8 characters between 、 or ；) whose item
 * text[start, end) is, as [start, end) pairs; null when text[start, end) is not a whole item beside a separator.
 */
function listItems(text: string, start: number, end: number): Array<[number, number]> | null {
  const before = start > 0 ? text.charCodeAt(start - 1) : 0;
  const after = end < text.length ? text.charCodeAt(end) : 0;
  const sepBefore = start > 0 && LIST_SEP.has(text[start - 1]);
  const sepAfter = end < text.length && LIST_SEP.has(text[end]);
  if ((!sepBefore && !sepAfter) || isIdeograph(before) || isIdeograph(after)) return null;
  const items: Array<[number, number]> = [];
  // Backwards from the item, then forwards, at most 12 items each way; a longer run ends the list.
  for (let at = start, k = 0; k < 12 && at > 0 && LIST_SEP.has(text[at - 1]); k++) {
    const s = ideographsBefore(text, at - 1, 9);
    if (s === at - 1 || at - 1 - s > 8) break;
    items.push([s, at - 1]);
    at = s;
  }
  for (let at = end, k = 0; k < 12 && at < text.length && LIST_SEP.has(text[at]); k++) {
    const e = ideographsAfter(text, at + 1, 9);
    if (e === at + 1 || e - at - 1 > 8) break;
    items.push([at + 1, e]);
    at = e;
  }
  return items;
}

/** Where the run of ideographs ending at `end` starts, looking back at most `max` characters. */
function ideographsBefore(text: string, end: number, max: number): number {
  let s = end;
  while (s > 0 && end - s < max && isIdeograph(text.charCodeAt(s - 1))) s--;
  return s;
}

/** Where the run of ideographs starting at `start` ends, looking ahead at most `max` characters. */
function ideographsAfter(text: string, start: number, max: number): number {
  let e = start;
  while (e < text.length && e - start < max && isIdeograph(text.charCodeAt(e))) e++;
  return e;
}

function street(text: string, start: number, end: number): boolean {
  return end - start >= 3 && ROAD_END.has(text[end - 1]);
}

/** Whether the list item text[start, end) is a place: a place the tagger found over most of it, or a street. */
function placeItem(text: string, start: number, end: number, tagged: readonly Span[]): boolean {
  if (street(text, start, end)) return true;
  for (const t of tagged) if (t.type === 'LOC' && t.start === start && t.end <= end && 2 * (t.end - t.start) >= end - start) return true;
  return false;
}

/** Whether the tagger found exactly text[start, end) as a `type`. */
function taggedAs(type: Span['type'], start: number, end: number, tagged: readonly Span[]): boolean {
  for (const t of tagged) if (t.type === type && t.start === start && t.end === end) return true;
  return false;
}

/** The list item (between separators) ending before `at` or starting after it, or null. */
function itemBefore(text: string, at: number): [number, number] | null {
  if (at < 1 || !LIST_SEP.has(text[at - 1])) return null;
  const s = ideographsBefore(text, at - 1, 8);
  return s < at - 1 ? [s, at - 1] : null;
}
function itemAfter(text: string, at: number): [number, number] | null {
  if (at >= text.length || !LIST_SEP.has(text[at])) return null;
  const e = ideographsAfter(text, at + 1, 8);
  return e > at + 1 ? [at + 1, e] : null;
}

/**
 * A name span that is an item of a list (、；) of places — 东非、马达加斯加、模里西斯; 达拉纳、内尔彻、南曼兰、乌普兰;
 * 汉沟镇、曹子里、崔黄口 — is a place too: transliterated places read like names, and a list holds one kind of
 * thing.
 * - When the span is a whole item, the list decides: some item is a place the tagger found (over most of the
 *   item) or a street (…路, …街), and places are not fewer than the items tagged as names. A common surname at a
 *   Chinese name's length (孙红雷、小沈阳) needs two places or more, and more places than names (蔚县、涿鹿、沽源、张北).
 * - Otherwise (包括马尔地夫、琉球群岛: the span's other side runs into words) the item on its separator's side must be
 *   a place the tagger found, and the span not a common surname at a Chinese name's length.
 */
function inPlaceList(text: string, s: Span, tagged: readonly Span[]): boolean {
  const shortSurname = s.end - s.start <= 3 && (lexBits(text.charCodeAt(s.start)) & LEX_TOP_SURNAME) !== 0;
  const items = listItems(text, s.start, s.end);
  if (items !== null) {
    let places = 0;
    let persons = 0;
    for (const [a, b] of items) {
      if (placeItem(text, a, b, tagged)) places++;
      else if (taggedAs('PER', a, b, tagged)) persons++;
    }
    if (places === 0 || places < persons) return false;
    return !shortSurname || (places >= 2 && places > persons);
  }
  if (shortSurname) return false;
  const b = itemBefore(text, s.start);
  if (b !== null && (taggedAs('LOC', b[0], b[1], tagged) || street(text, b[0], b[1]))) return true;
  const a = itemAfter(text, s.end);
  return a !== null && (taggedAs('LOC', a[0], a[1], tagged) || street(text, a[0], a[1]));
}

/** Kinship words the tagger sometimes reads into the name after them (伯父钟一理 → 钟一理). */
const KINSHIP = new KeywordIndex(['伯父', '叔父', '父亲', '母亲', '伯母', '叔叔', '婶婶', '舅舅', '舅父', '姑姑', '姑父', '姨妈', '哥哥', '姐姐',
  '弟弟', '妹妹', '爷爷', '奶奶', '祖父', '祖母', '外公', '外婆', '儿子', '女儿', '妻子', '丈夫', '长子', '次子', '长女', '次女', '堂兄',
  '表兄', '堂弟', '表弟', '胞弟', '胞兄']);

/** The span without a kinship word at its start, when a name of two or more characters is left. */
function withoutKinship(text: string, s: Span): Span {
  const w = KINSHIP.at(text, s.start);
  if (w === undefined || s.end - s.start - w.length < 2) return s;
  return { ...s, start: s.start + w.length };
}

const AFTER_SURNAME = new KeywordIndex([...TITLE_SUFFIXES, ...F.EXTRA_TITLES, '某', '总']);

/** Whether text[at] is a surname character followed by a title, 某 or 总 (吴先生, 李老师, 邹某, 王总). */
function surnameWithTitle(text: string, at: number): boolean {
  if ((lexBits(text.charCodeAt(at)) & LEX_SURNAME) === 0 || at + 1 >= text.length) return false;
  return AFTER_SURNAME.at(text, at + 1) !== undefined;
}

function hasRuleFinding(out: readonly RawFinding[], from: number): boolean {
  for (let k = from; k < out.length; k++) if (out[k].type === 'person_name' || out[k].type === 'address') return true;
  return false;
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
  const tagged = tagWindows(text, model, out, from);
  const names = tagged.filter((s) => s.type === 'PER');
  if (names.length === 0 && !hasRuleFinding(out, from) && !tagged.some((s) => s.type === 'LOC')) return;
  const addresses = addressSpans(text, tagged);
  const kept: RawFinding[] = [];
  for (let k = from; k < out.length; k++) {
    const f = out[k];
    if (f.type === 'person_name') {
      // Strong evidence, but not for laughter after a label (主持人:哈哈哈哈哈).
      if (STRONG_NAME.has(f.detector)) { if (!repeated(text, f.start, f.end)) kept.push(f); }
      else if (!names.some((s) => overlaps(s, f))) continue;
    } else if (f.type === 'address') {
      if (standingAddress(f)) kept.push(f);
      else if (addresses.some((s) => overlaps(s, f)) && addressShapeOk(text, f.start, f.end)) kept.push(f);
    } else kept.push(f);
  }
  out.length = from;
  for (const f of kept) out.push(f);
  // A single character is a name only as a surname the tagger found with a title or 某 after it (吴先生, 李老师,
  // 邹某): a person named by surname, as news and minutes do. Not before 氏 or 老 (李氏族谱, 唐老鸭, 黄老之术).
  //
  // One sense per text: a string the text shows as a place or thing (入驻谢尔, 谢尔位于…, 格利泽581b) is not a
  // person's name elsewhere in the same text (今天谢尔放弃…); nor is a string rejected by the other shape tests
  // (a list of places, a word that makes it a thing) as often as it was kept.
  if (wantName) {
    const ok: Span[] = [];
    let votes: Map<string, number> | null = null;
    for (let s of names) {
      s = withoutKinship(text, trimmed(text, s));
      if (s.end - s.start < 2) {
        if (s.end - s.start === 1 && surnameWithTitle(text, s.start)) ok.push(s);
        continue;
      }
      const shape = nameShape(text, s.start, s.end);
      if (shape === SHAPE_OK && !inPlaceList(text, s, tagged)) {
        ok.push(s);
        continue;
      }
      votes ??= new Map();
      const key = text.slice(s.start, s.end);
      votes.set(key, shape === SHAPE_PLACE ? -1e6 : (votes.get(key) ?? 0) - 1);
    }
    if (votes !== null) for (const s of ok) if (s.end - s.start >= 2) {
      const key = text.slice(s.start, s.end);
      if (votes.has(key)) votes.set(key, votes.get(key)! + 1);
    }
    for (const s of ok) if (votes === null || s.end - s.start < 2 || (votes.get(text.slice(s.start, s.end)) ?? 1) > 0) addSpan(out, kept, s, 'person_name');
  }
  if (wantAddress) for (const s of addresses) addSpan(out, kept, s, 'address');
}

/** A tagger span as a finding, unless a rule finding that stands covers it (it keeps its own boundaries). */
function addSpan(out: RawFinding[], kept: readonly RawFinding[], s: Span, type: 'person_name' | 'address'): void {
  for (const f of kept) if (f.type === type && overlaps(f, s)) return;
  out.push({ type, start: s.start, end: s.end, score: Math.round(s.score * 1000) / 1000, detector: 'ner' });
}
