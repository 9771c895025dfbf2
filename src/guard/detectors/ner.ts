import type { RawFinding } from '../types.ts';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as M from '../ner/model.ts';
import * as Ch from '../chars.ts';
import type { NerModel, Span } from '../ner/model.ts';
import * as F from '../ner/features.ts';
import { STREET_LEVEL } from '../ner/street.ts';
import { KeywordIndex } from '../keywords.ts';
import { SpanSet } from '../span-set.ts';
import { NAME_CUES, NAME_VERBS, TITLE_SUFFIXES } from '../data/names.ts';
import { COUNTRIES, FOREIGN_PLACES } from '../data/places.ts';
import { LEX_NAME, LEX_NAME_TAGGED, LEX_ORG, LEX_PLACE, LEX_WORD, MAX_LEN, type Lexicon } from '../ner/lexicon.ts';

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
 * - a name the tagger finds is first trimmed of what is no part of a name (trimNameSpan: punctuation, kinship words,
 *   characters no training name starts, ends or holds, a verb after it, a dynasty before it), then reported with those
 *   boundaries ("ner") when it is shaped like a name (nameShape: not an era, title, people, station, place…; inPlaceList)
 *   and the text nowhere shows the same string to be a place or object (one sense per text);
 * - a rule name is kept on its own only when its evidence is strong (a "姓名：" label, a phone/ID beside it,
 *   a gender after it); a title, verb or weak-label rule name needs the tagger to agree (then the tagger's
 *   span, which does not take "展银行" out of "深圳发展银行副行长");
 * - a rule address with a house/room number stands; one without a number needs the tagger to agree, unless it follows a
 *   label of where a person lives (住址：, 家住在: 保定市竞秀区建设路, whose road the tagger does not know);
 *   the tagger's own street-level addresses are added (addressShapeOk); after a descriptive word inside a chain
 *   (贫困山区, 郊区, 办事处) an address is the named place that follows it.
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
// 孔庙): for two-character spans a wider set (吴王, 阳宁君, and 赵姓: the surname itself), since a three-character name
// may end in 国 (张建国).
const NOT_NAME_END = new Set([...'朝庙街路诗县省市州岛寺郡语族湖鱼邨']);
const NOT_NAME_END_SHORT = new Set([...'朝庙街路诗县省市州岛寺郡语族湖鱼邨国王帝君城代姓']);
/** Endings of a dialect or of a deity's title (吴方言, 灵昭真君, 太白星君), not of a person's name. */
/** Last characters of a book's title (not 志: 《赵尚志》 is a novel named after its hero, and many names end in 志). */
const BOOK_END = new Set([...'书史记传经集录']);
const NOT_NAME_END_WORDS = /(?:方言|真君|星君|元君|帝君|天尊|菩萨)$/;
/** A river, mountain or lake after a transliteration (艾芬河, 伏尔加河): the span is its name. */
const FEATURE_END = new Set([...'河江山湖']);
/** Right after a transliteration, these make it a place (赞尼特岛, 斯巴达城), and the text's other mentions of it too. */
const PLACE_NEXT = new Set([...'岛港湾峡河湖省州县市镇村城郡洲']);
/** A dynasty's reading of a character (吴音, 唐音, 汉音: the Japanese on-readings), not a person (观音 is one). */
const DYNASTY_READING = /^[吴唐宋汉晋明清]音$/;

/**
 * Words that, right after a span, make it the name of a language, people, place, craft or thing rather than of
 * a person (艾努语, 粟特人, 斯巴达城, 达尔布卡鼓, 伊维菌素, 查林杰海渊) — unless they begin a title (张伟市长, 李明站长).
 */
const NOT_NAME_NEXT = new Set([...'语族岛港湾峡河湖省州县市镇村邨线龙鼓菌城宫寺庙洲邦郡']);
const NEXT_WORDS = /^(?:人(?=$|[，。、；的和与])|上的|海渊|大道|路(?![过上])|街|公园|战役|王朝|帝国|王国|群岛|半岛|山脉|地区|浅滩|盆地|高原|平原|沙漠|海峡|海湾|运河|火山|雪山|方言|足球俱乐部|足球队|俱乐部|球会|主场|客场)/;
const PLACE_VERB_BEFORE = /(?:前往|赶往|逃到|逃往|迁往|迁至|迁到|入驻|位于|抵达|飞往|定居|移居|途经|驶往|出使|通使|出兵|攻打|攻占|攻陷|占领|收复|出访|到达|回到|返回|驻扎|登陆|远征|入侵|侵略|飞抵|取道|路过)$/;
const CATALOGUE_NEXT = /^[-‐－ ]?[0-9０-９]+[A-Za-zＡ-Ｚａ-ｚ]/;
const PERSON_TITLE = new KeywordIndex(TITLE_SUFFIXES);
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
  const topSurname = (lexBits(text.charCodeAt(start)) & LEX_TOP_SURNAME) !== 0;
  // A surname and a person's title after it (马语先生, 田国同志, 石霞语处长) make a name whatever its last character —
  // but 姓 (赵姓女士 is a woman named Zhao).
  const titled = topSurname && end - start <= 3 && last !== '姓' && PERSON_TITLE.at(text, end) !== undefined;
  if (!titled && (end - start === 2 ? NOT_NAME_END_SHORT.has(last) : NOT_NAME_END.has(last))) {
    // A poem is named 木兰诗, a person 刘诗诗 or 王珍诗: a three-character span after a common surname is a name.
    if (!(last === '诗' && end - start === 3 && topSurname)) return SHAPE_NOT;
  }
  if (end - start >= 3 && NOT_NAME_END_WORDS.test(text.slice(end - 2, end))) return SHAPE_NOT;
  // A book named in title marks (《南齐书·列传》, 《三国志》): the marks open it, its last character says it is a book.
  if (end - start >= 3 && start > 0 && text[start - 1] === '《' && BOOK_END.has(last) && (text[end] === '》' || text[end] === '·')) return SHAPE_NOT;
  if (end - start >= 3 && FEATURE_END.has(last) && transliterated(text, start, end - 1)) return SHAPE_PLACE;
  // A transliteration right after two more transliteration characters is the tail of a longer word the tagger cut
  // (乌姆盖萨尔 → 盖萨尔, 摩尔达维亚 → 达维亚): whatever the whole is, this span is not a name. One character before is
  // not enough: it often ends a word of its own (模特马曼·桑斯, 使得乔巴).
  if (start > 1 && transliterated(text, start - 2, Math.min(end, start + 2))) return SHAPE_NOT;
  // One character over and over (超超超, 哈哈 in 哈哈哈哈) is an exclamation or emphasis, not a name; a doubled
  // given name (乐乐, 诗诗) stands alone.
  if (repeated(text, start, end)) return SHAPE_NOT;
  // A country is a place wherever the text names it (莱索托, 津巴布韦).
  if (end - start <= 7) {
    const key = text.slice(start, end);
    if (end - start <= 6 && COUNTRIES.has(key)) return SHAPE_PLACE;
    // A foreign city or a club (克里夫兰, 阿森纳) — unless a person's title follows (马德里先生, a man named Madrid).
    if (FOREIGN_PLACES.has(key) && PERSON_TITLE.at(text, end) === undefined) return SHAPE_PLACE;
  }
  // A piece of a country's name (尔兰 of 爱尔兰, 萨摩 of 萨摩亚).
  for (let k = 1; k <= 2; k++) {
    if (start >= k && COUNTRIES.has(text.slice(start - k, end))) return SHAPE_NOT;
    if (end + k <= text.length && COUNTRIES.has(text.slice(start, end + k))) return SHAPE_NOT;
  }
  // A transliteration right after a state, province or county is a place in it (昆士兰州汤斯维尔, 格洛斯特郡…);
  // none of the training corpora's names is one.
  if (end - start >= 3 && start > 0 && ADMIN_BEFORE.has(text[start - 1]) && transliterated(text, start, end)) return SHAPE_PLACE;
  // A long span that took in the word making it a place or thing (查林杰海渊, …群岛, …王朝).
  if (end - start >= 4 && NEXT_WORDS.test(text.slice(end - 2, end))) return SHAPE_NOT;
  // A peerage or an empress's title (平阳亭侯, 景皇后, 王世子), not the holder's name.
  // 杨皇后 is the empress by her surname, as 潘夫人 is the lady.
  if (end - start >= 3 && PEERAGE_END.test(text.slice(end - 2, end))
    && !(end - start === 3 && topSurname)) return SHAPE_NOT;
  // A marquisate named after its place (永嘉侯 of 永嘉侯朱亮祖): of the training corpora's 19,345 names, one (史鄂侯) has
  // three characters and ends in 侯, and it starts with a common surname.
  if (end - start === 3 && last === '侯' && !topSurname) return SHAPE_NOT;
  if (end - start === 2 && DYNASTY_READING.test(text.slice(start, end))) return SHAPE_NOT;
  // A count comes before a unit or a currency (5迪拉姆, 10索莫尼), not before a name — but a common surname after a
  // year or a number in a handle starts one (#2014徐浩朱元冰签售会#).
  if (start > 0 && isDigit(text.charCodeAt(start - 1)) && !(end - start <= 4 && topSurname)) return SHAPE_NOT;
  // One goes to, settles in or lies in a place (逃到斯巴达, 入驻谢尔, 赶往弗兰肯豪森), not a person.
  // Not when a possessive or a word of location follows: one goes back to a person's home, side or shop (回到张伟家里,
  // 路过张伟的店).
  if (start >= 2 && PLACE_VERB_BEFORE.test(text.slice(Math.max(0, start - 2), start)) && !PERSON_LOCATIVE.test(text.slice(end, end + 3))) return SHAPE_PLACE;
  // A genus is a transliteration ending in 龙 (威拉弗龙, 隆柯龙); a name ending in 龙 starts with a surname (李小龙).
  if (end - start >= 3 && last === '龙' && !topSurname && transliterated(text, start, end - 1)) return SHAPE_NOT;
  // A people is a transliteration with 人 (库尔德人, 粟特人): the span took in the word that makes it one.
  if (end - start >= 3 && last === '人' && transliterated(text, start, end - 1)) return SHAPE_NOT;
  if (end >= text.length) return SHAPE_OK;
  // A reign era counts years (清咸丰三年, 魏甘露十年, 延宝五年, 明洪武年间); a ruler does too (秦始皇十七年, 宋徽宗年间),
  // and a person's years are ago or since (刘德华十年前).
  if (ERA_NEXT.test(text.slice(end, end + 6)) && !RULER_END.has(last)) return SHAPE_NOT;
  // A station (何文田站。, 余杭站是…) — not one who stands (张伟站在, 李明站长).
  if (STATION_NEXT.test(text.slice(end, end + 2))) return SHAPE_NOT;
  // A place lies somewhere (谢尔位于罗纳河畔); a catalogue designation has a number and a letter right after
  // (格利泽581b, 开普勒22b), a date does not (克林顿１２日).
  if (PLACE_VERB_AFTER.test(text.slice(end, end + 2)) || CATALOGUE_NEXT.test(text.slice(end, end + 8))) return SHAPE_PLACE;
  // Of the training corpora's 19,345 names, none is followed by （今 or by 大陆.
  if (PRESENT_DAY_NEXT.test(text.slice(end, end + 20))) return SHAPE_PLACE;
  if (LANDMASS_NEXT.test(text.slice(end, end + 2)) && (end - start >= 4 || transliterated(text, start, end))) return SHAPE_PLACE;
  // "… is a town / the second city / a country" (韦尔斯则是另一城市；, 斯塔福德是第4大镇（): the predicate says place.
  if (COPULA_PLACE.test(text.slice(end, end + 20))) return SHAPE_PLACE;
  // "… is a multinational company / a band / a newspaper" (陶氏是美国一个跨国公司，): the predicate says organisation.
  if (COPULA_ORG.test(text.slice(end, end + 24))) return SHAPE_NOT;
  const after = text.slice(end, end + 5);
  if (TITLE_NEXT.test(after)) return SHAPE_OK;
  if (PLACE_NEXT.has(text[end]) && transliterated(text, start, end)) return SHAPE_PLACE;
  return !NOT_NAME_NEXT.has(text[end]) && !NEXT_WORDS.test(after) ? SHAPE_OK : SHAPE_NOT;
}
/** Whether text[start, end) is one character repeated, three times or more, or running on beyond the span. */
function repeated(text: string, start: number, end: number): boolean {
  const c = text.charCodeAt(start);
  for (let i = start + 1; i < end; i++) if (text.charCodeAt(i) !== c) return false;
  return end - start >= 3 || (start > 0 && text.charCodeAt(start - 1) === c) || (end < text.length && text.charCodeAt(end) === c);
}
const PEERAGE_END = /^(?:亭侯|乡侯|县侯|郡侯|郡公|县公|国公|郡王|亲王|皇后|太后|世子)$/;
const PERSON_LOCATIVE = /^(?:的|家|身边|那里|那儿|这里|这儿|处|手[中里上]|怀[里中]|住[处所地])/;
const PLACE_VERB_AFTER = /^(?:位于|地处|坐落|境内|一带|沿岸|流域)/;
/** A place's name today in brackets after its old one (钱塘（今浙江省杭州市）); not a person's home (干宝（今新蔡县人）). */
const PRESENT_DAY_NEXT = /^[（(]今(?![^）)]{0,16}人[）)])/;
/** A landmass or an ocean of the earth's past (潘诺西亚大陆, 原劳亚大陆), after a long span or a transliteration. */
const LANDMASS_NEXT = /^(?:大陆|古陆|陆块|大洋)/;
const ERA_NEXT = /^(?:(?:元|[二三四五六七八九]|[二三四五六七八九]?十[一二三四五六七八九]?|廿[一二三四五六七八九]?)年(?![前后来多里内中间余代])|年间)/;
const ADMIN_BEFORE = new Set([...'州省郡县']);
const RULER_END = new Set([...'王皇帝宗祖公侯后']);
const STATION_NEXT = /^站(?:$|[，。、；）)」”是的前])/;

/** Whether text[start, end) is all transliteration characters. */
function transliterated(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((lexBits(text.charCodeAt(i)) & LEX_TRANS) === 0) return false;
  return true;
}
const COPULA_PLACE = /^(?:则|也|就|乃)?是[^，。；！？、,;]{0,14}?(?:城市|城镇|市镇|小镇|国家|首都|省会|首府|州府|郡治|镇|城|村|岛|港口|港)(?:[，。；（(、,;]|之一|$)/;
const COPULA_ORG = /^(?:则|也|就|乃)?是[^，。；！？、,;]{0,16}?(?:公司|企业|集团|品牌|厂商|制造商|银行|大学|学院|球队|俱乐部|报纸|杂志|网站|电视台|出版社)(?:[，。；（(、,;]|之一|$)/;

/**
 * Whether a tagged place (or a rule address without a house number) is a street address: at least three
 * characters, street-level (ner/street.ts), within one clause.
 */
export function addressShapeOk(text: string, start: number, end: number): boolean {
  if (end - start < 3) return false;
  // A title in book-title marks (《流星花园》, 《塞弗勒小路》) is a work, not a place.
  if (start > 0 && text[start - 1] === '《' && text[end] === '》') return false;
  const span = text.slice(start, end);
  if (!STREET_LEVEL.test(span) || SENTENCE_END.test(span) || ROAD_LENGTH.test(span) || NOT_A_VILLAGE.test(span)) return false;
  const before = text.slice(Math.max(0, start - 8), start);
  // A length or count just outside a road (修了１公里盘山路, 修筑环山作业路１７．５公里) measures roads too (勐来村１０公里的老路:
  // a village's roads).
  const digits = TRAILING_DIGITS.exec(span)![0];
  const road = span.slice(0, span.length - digits.length);
  if (ROAD_LAST.test(road) && (LENGTH_BEFORE.test(before) || LENGTH_AFTER.test(digits + text.slice(end, end + 8)))) return false;
  // A road one sets out on is a figure of speech (踏上黄泉路, 走上致富路, 踏上归乡路).
  if (JOURNEY_BEFORE.test(before + (span[0] === '上' ? '上' : ''))) return false;
  // A player's number (前锋１９号波尔斯特, 巴西队１７号里贝斯) is no house number.
  return !SHIRT_NUMBER.test(before + span);
}
const LENGTH_BEFORE = /(?:几[十百千]?|[0-9０-９]+[.．]?[0-9０-９]*|[一二两三四五六七八九十百千]+)(?:公里|千米|里|米|条|段)$/;
const LENGTH_AFTER = /^[0-9０-９]+[.．]?[0-9０-９]*(?:公里|千米|米)/;
const ROAD_LAST = /[路街巷弄道]$/;
const TRAILING_DIGITS = /[0-9０-９.．]*$/;
const JOURNEY_BEFORE = /(?:踏|走|迈|登)上$/;
const SHIRT_NUMBER = /(?:队|锋|卫|门将|中场|球员)[0-9０-９]+号/;
/**
 * 村 after a determiner (各村, 该村, 邻村), in 度假村 (a resort), 农村 (the countryside), 治村 (民主治村, running a
 * village) or after a conjunction (野鸟和村中麻雀) ends no village's name (共和村 does).
 */
const NOT_A_VILLAGE = /(?:^|[各全本该邻每此])村$|度假村$|农村$|治村$|(?<!共)[和与]村$/;
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
    if (chain !== null) pushAddress(text, chain, out);
    chain = { type: 'LOC', start: s.start, end: s.end, score: s.score };
  }
  if (chain !== null) pushAddress(text, chain, out);
  return out;
}

/**
 * A descriptive word inside a chain of places (湖北松滋市贫困山区庆贺寺乡吴家包村, 太原市郊区北固碾村, 祝华办事处孙屯村)
 * is no part of a place's name: the address is the named place after it, when that is street-level on its own
 * (not 山区 alone: 南山区 and 宝山区 are districts).
 */
const GENERIC_IN_CHAIN = /(?:(?:贫困|偏远|边远)山区|郊区|办事处|农村|老区|灾区)(?!$)/g;

/** Quotes and brackets, opening to closing: the tagger may take one in at a place's edge ("幸福里小区7栋" → 幸福里小区7栋). */
const PAIRS = new Map([['"', '"'], ["'", "'"], ['“', '”'], ['‘', '’'], ['「', '」'], ['『', '』'], ['(', ')'], ['（', '）'], ['[', ']'], ['【', '】']]);
const CLOSING = new Map([...PAIRS].map(([o, c]) => [c, o]));

/**
 * The span without quotes or brackets at its edges that are not part of its name: a pair around the whole span, or a mark
 * whose other half is not inside it ("幸福里小区7栋" and 宝岛12号” lose theirs, “朗波拉”大道 keeps its own).
 */
function trimMarks(text: string, span: Span): void {
  while (span.end - span.start >= 2) {
    const first = text[span.start];
    const last = text[span.end - 1];
    const body = text.slice(span.start + 1, span.end - 1);
    if (PAIRS.get(first) === last && !body.includes(first) && !body.includes(last)) {
      span.start++;
      span.end--;
    } else if (CLOSING.has(last) && !text.slice(span.start, span.end - 1).includes(CLOSING.get(last)!)) span.end--;
    else if (PAIRS.has(first) && !text.slice(span.start + 1, span.end).includes(PAIRS.get(first)!)) span.start++;
    else return;
  }
}

function pushAddress(text: string, chain: Span, out: Span[]): void {
  trimMarks(text, chain);
  if (!addressShapeOk(text, chain.start, chain.end)) return;
  chain.start = namedPlaceStart(text, chain.start, chain.end);
  out.push(chain);
}

/**
 * Where the named place of the street address text[start, end) starts: after its last descriptive word, if any, or
 * after a verb of a route the chain took in (东至黎平路, 南接镇安路, 直通广园西路, 扩宽镇安路) — not before an administrative
 * unit (东至县 is a county).
 */
function namedPlaceStart(text: string, start: number, end: number): number {
  let cut = -1;
  for (const m of text.slice(start, end).matchAll(GENERIC_IN_CHAIN)) cut = start + m.index + m[0].length;
  if (cut < 0) {
    const route = ROUTE_VERB.exec(text.slice(start, end));
    if (route !== null && !ADMIN_UNIT.has(text[start + route[0].length])) cut = start + route[0].length;
  }
  return cut > 0 && !text.startsWith('社区', cut) && addressShapeOk(text, cut, end) ? cut : start;
}
const ROUTE_VERB = /^(?:[东西南北](?:至|接|起|到|抵|通)|直通|通往|连接|分流|扩宽|拓宽|延长至|总站由)/;
const ADMIN_UNIT = new Set([...'省市县区']);

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

/**
 * The tagger's spans by where they start: the list tests look up the spans at an item's start, and a text of many
 * list items (张伟、 repeated) must not search all spans for each item.
 */
type TaggedByStart = ReadonlyMap<number, readonly Span[]>;

function byStart(tagged: readonly Span[]): TaggedByStart {
  const index = new Map<number, Span[]>();
  for (const t of tagged) {
    const at = index.get(t.start);
    if (at === undefined) index.set(t.start, [t]);
    else at.push(t);
  }
  return index;
}

/** Whether the list item text[start, end) is a place: a place the tagger found over most of it, or a street. */
function placeItem(text: string, start: number, end: number, tagged: TaggedByStart): boolean {
  if (street(text, start, end)) return true;
  for (const t of tagged.get(start) ?? []) if (t.type === 'LOC' && t.end <= end && 2 * (t.end - t.start) >= end - start) return true;
  return false;
}

/** Whether the tagger found exactly text[start, end) as a `type`. */
function taggedAs(type: Span['type'], start: number, end: number, tagged: TaggedByStart): boolean {
  for (const t of tagged.get(start) ?? []) if (t.type === type && t.end === end) return true;
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
function inPlaceList(text: string, s: Span, tagged: TaggedByStart): boolean {
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
  '表兄', '堂弟', '表弟', '胞弟', '胞兄', '小儿子', '大儿子', '小女儿', '大女儿', '孙儿', '外孙', '侄子', '侄女', '女婿']);

/**
 * Characters that start (first) or end (last) at most one of the 18,253 names of the training corpora's train splits
 * (令伟家, 刘山在, 堀达也, 洛则; most none) but stand next to names: conjunctions, prepositions and verbs the tagger
 * sometimes reads into a span (和贝尔维尔, 当卡萨吉马斯, 饰杨逍; 刘怡君饰, 吕岩即, 吴汉杀妻, 卢弼也). 和 starts a few Chinese
 * names (和万春), so only a longer span loses it.
 */
const NOT_NAME_FIRST = new Set([...'与跟当饰在被把对将从自给即及等便已说率称杀令号字名曰是拜追授']);
/**
 * What follows 谥 (posthumously named) is a posthumous title (谥文穆), and what follows 封 (enfeoffed as) a fief when a
 * rank ends it (封景王, 封平阳亭侯; 封秋昌 is a name).
 */
const TITLE_GIVEN = /^(?:追?谥|(?:追|受|晋|改)?封.+[王侯公君伯])/;
const NOT_NAME_LAST = new Set([...'与跟当饰被把对将从自给即及等便已说率称杀乃在也则字名曰是拜追读盟']);
const KIN_AFTER_ZHI = new Set([...'子女孙妻父母兄弟妹姊侄婿']);
const OFFICE_LAST = /(?:丞相|宰相|太守|刺史|将军|都督|太尉|司徒|司空|尚书|侍郎|知府|知县|县令)$/;
/** 英 of 英文 / 英语 after a name (福原爱英文名): the name ends before it. */
const ENGLISH_NEXT = /^英[文语]$/;
/** Verbs a span sometimes runs into (赵鹏加盟, 文宗知道): the speech and action verbs after names, and a few more. */
const VERB_AFTER_NAME = new KeywordIndex([...NAME_VERBS.filter((v) => v.length === 2), '加盟', '知道', '带领', '率领', '担任', '出任',
  '主演', '执导', '发明', '创立', '创办', '去世', '逝世', '病逝', '出生', '死后', '登基', '即位', '继位', '夺冠', '退役', '获奖', '辞职']);
/** A dynasty before a name (东汉安世高, 唐朝武则天): the name is what follows. */
const DYNASTY_BEFORE = /^(?:[东西南北前后][汉晋魏周齐梁陈宋唐秦燕凉蜀吴]|[唐宋元明清汉秦隋晋]朝)/;
const ERA_VERB = new Set([...'改建']);
const DYNASTY = new Set([...'秦汉晋隋唐宋元明清']);
const TITLE_FIRST = new KeywordIndex([...CUE_BEFORE, '文豪', '大文豪', '公爵', '伯爵', '侯爵', '子爵', '男爵', '大公', '亲王', '国王', '女王',
  // Callings and offices a name follows (商人西村松兵卫, 哲学家黑格尔, 丞相诸葛亮).
  ...'商人 学者 农民 工人 大臣 丞相 太守 将领 船长 作曲家 哲学家 科学家 数学家 物理学家 化学家 艺术家 音乐家 小说家 剧作家 思想家 政治家 革命家 企业家 发明家 探险家 歌星 影星 球星 名将 画师 词人 僧人 道士 法师'.split(' ')]);
/** Characters inside none of the training corpora's names: a span holding one has run on into a clause. */
const NOT_IN_NAME = new Set([...'与了着把被将劝伐饰携率联姓']);
/** Characters before 于 that make it the preposition of a verb (卒于顺治, 病逝于波扎那, 由于尚恩, 位于西布里奇福德), not the surname. */
const VERB_BEFORE_YU = new Set([...'卒逝生位始属由出对至在等处源死葬建成业读职力迄自用关终基鉴善便忠限过急勇敢乐易难免甘苦碍迫高低大小多少献嫁败归见交赠']);
const SPELT_CHAR = /[（(〈][\u3400-\u9fff]{2}[）)〉]/;
const NAME_JOINERS = new Set([...'-‐—－_＿']);
/** Dots between the parts of a foreign name: inside a span, not at its ends. */
const NAME_DOTS = new Set([...'·・•．.‧']);

function letterOrIdeograph(c: number): boolean {
  return isIdeograph(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a);
}

/**
 * The tagger span with what is no part of a name taken off its ends — punctuation and dots (▪葛尔丹, 陈寿《, 马克·),
 * a kinship word (伯父钟一理), a word that never starts or ends a name (饰杨逍, 刘怡君饰, 卒于顺治) — or null when
 * punctuation other than a name's dots lies inside it (傅、光禄) or nothing of a name is left (叔叔, 唐·).
 */
export function trimNameSpan(text: string, span: Span): Span | null {
  let start = span.start;
  let end = span.end;
  while (start < end && !letterOrIdeograph(text.charCodeAt(start))) start++;
  // A rare character written out in brackets ends a name as news print it (袁（日希）, 郑乃〈王光〉).
  const spelt = SPELT_CHAR.exec(text.slice(start, Math.min(text.length, end + 1)));
  if (spelt !== null && spelt.index > 0) end = start + spelt.index + spelt[0].length;
  else while (end > start && !letterOrIdeograph(text.charCodeAt(end - 1))) end--;
  for (let i = start; i < end - (spelt !== null && spelt.index > 0 ? spelt[0].length : 0); i++) {
    const c = text.charCodeAt(i);
    // Joiners inside a name or a social-media handle (约翰—格伦, 张_潞淼) are part of it.
    if (!letterOrIdeograph(c) && !NAME_DOTS.has(text[i]) && !NAME_JOINERS.has(text[i]) && !isDigit(c)) return null;
  }
  if (end - start < 1) return null;
  const w = KINSHIP.at(text, start);
  if (w !== undefined && end - start <= w.length + 1) return null;
  if (w !== undefined && end - start - w.length >= 2) start += w.length;
  if (end - start >= 3 && TITLE_GIVEN.test(text.slice(start, Math.min(text.length, end + 1)))) return null;
  // A title the span took in before the name (公爵格奥尔格, 主任委员石秀诗): the name is what follows it.
  const title = TITLE_FIRST.at(text, start);
  if (title !== undefined && end - start - title.length >= 2) start += title.length;
  // A title alone (文豪 of 英国大文豪莎士比亚) names no one.
  else if (title !== undefined && title.length === end - start) return null;
  // An office after a state or a surname (吴丞相 of 吴丞相朱据) names the holder, whose name is not in the span.
  // The office is most often part of a longer one (门下侍郎, 燕散骑侍郎): no name at all — unless the name was appointed
  // to it (司马晏为太尉 → 司马晏).
  const office = OFFICE_LAST.exec(text.slice(start, end));
  if (office !== null) {
    end -= office[0].length;
    if (end - start < 3 || text[end - 1] !== '为') return null;
    end--;
  }
  if (end - start >= 4) {
    if (VERB_AFTER_NAME.at(text, end - 2)?.length === 2) end -= 2;
    else if (DYNASTY_BEFORE.test(text.slice(start, start + 2))) start += 2;
    // A prince's title before his name (北王韦昌辉, 鹰王约翰逊): 王 after a word, then a whole name of three characters or more;
    // a dynasty's name before a name of three (宋周敦颐).
    else if (text[start] === '王' && start > 0 && isIdeograph(text.charCodeAt(start - 1))
      && ((lexBits(text.charCodeAt(start + 1)) & LEX_TOP_SURNAME) !== 0 || transliterated(text, start + 1, end))) start += 1;
    else if (end - start === 4 && DYNASTY.has(text[start]) && (lexBits(text.charCodeAt(start + 1)) & LEX_TOP_SURNAME) !== 0) start += 1;
  }
  // An era named after 改元 or 建元 (改元洪宪, 建元昭武), not a person.
  if (text[start] === '元' && start > 0 && ERA_VERB.has(text[start - 1])) return null;
  for (let k = 0; k < 2 && end - start >= 3; k++) {
    const first = text[start];
    if (NOT_NAME_FIRST.has(first) || (first === '和' && end - start >= 4)
      || (first === '于' && start > 0 && VERB_BEFORE_YU.has(text[start - 1]))) start++;
    else break;
  }
  // The son or wife of a name (司马觐之子, 吴应熊之子, 孙亮之妻) is named by it, not it: the name ends before 之.
  if (end - start >= 4 && text[end - 2] === '之' && KIN_AFTER_ZHI.has(text[end - 1])) end -= 2;
  else if (end - start >= 3 && text[end - 1] === '之' && KIN_AFTER_ZHI.has(text[end])) end -= 1;
  if (end - start >= 3 && (NOT_NAME_LAST.has(text[end - 1]) || ENGLISH_NEXT.test(text.slice(end - 1, end + 1)))) end--;
  // A span running on into a clause (刘备伐吴, 狼与乌鸦): the name ends before the word no name holds.
  for (let i = start + 1; i < end; i++) {
    if (!NOT_IN_NAME.has(text[i])) continue;
    if (i - start >= 2) { end = i; break; }
    // 秦将章邯: the name is what follows, when it starts with a surname.
    if (end - i - 1 >= 2 && (lexBits(text.charCodeAt(i + 1)) & LEX_SURNAME) !== 0) { start = i + 1; break; }
    return null;
  }
  // A doubled given name the tagger cut in half (刘诗|诗): the span takes the second one.
  if (end - start === 2 && (lexBits(text.charCodeAt(start)) & LEX_TOP_SURNAME) !== 0 && text[end] === text[end - 1] && text[end + 1] !== text[end]) end++;
  // Dots left at an end by the cuts (西汉·司马迁).
  while (start < end && NAME_DOTS.has(text[start])) start++;
  while (end > start && NAME_DOTS.has(text[end - 1])) end--;
  if (end - start < 1) return null;
  return start === span.start && end === span.end ? span : { ...span, start, end };
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
  const nameSet = new SpanSet(names);
  const addressSet = new SpanSet(addresses);
  const kept: RawFinding[] = [];
  for (let k = from; k < out.length; k++) {
    const f = out[k];
    if (f.type === 'person_name') {
      // Strong evidence, but not for laughter after a label (主持人:哈哈哈哈哈).
      if (STRONG_NAME.has(f.detector)) { if (!repeated(text, f.start, f.end)) kept.push(f); }
      else if (!nameSet.overlaps(f.start, f.end)) continue;
    } else if (f.type === 'address') {
      if (standingAddress(f)) kept.push(f);
      // After a label of where a person lives (住址：, 家住) a street-level place is an address whether or not the tagger
      // knows its road (保定市竞秀区建设路); otherwise the tagger must agree.
      else if ((f.detector === 'address.label' || addressSet.overlaps(f.start, f.end)) && addressShapeOk(text, f.start, f.end)) {
        const start = namedPlaceStart(text, f.start, f.end);
        kept.push(start === f.start ? f : { ...f, start });
      }
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
    const taggedAt = byStart(tagged);
    let votes: Map<string, number> | null = null;
    // Foreign names taken whole, and the span the tagger gave: kept when the whole overlaps a rule's name.
    let cutAt: Map<Span, Span> | null = null;
    for (const n of names) {
      const trimmed = trimNameSpan(text, n);
      if (trimmed === null) continue;
      const s = wholeForeignName(text, trimmed);
      if (s !== trimmed) (cutAt ??= new Map()).set(s, trimmed);
      // trimNameSpan leaves at least one character.
      if (s.end - s.start === 1) {
        if (surnameWithTitle(text, s.start)) ok.push(s);
        continue;
      }
      const shape = tailOfWord(text, s, model.lexicon) ? SHAPE_NOT : nameShape(text, s.start, s.end);
      if (shape === SHAPE_OK && !inPlaceList(text, s, taggedAt)) {
        ok.push(s);
        continue;
      }
      votes ??= new Map();
      const key = text.slice(s.start, s.end);
      votes.set(key, shape === SHAPE_PLACE ? -1e6 : (votes.get(key) ?? 0) - 1);
    }
    // A foreign name taken whole absorbs the parts of it the tagger found apart (凯瑟琳·泽塔 and 琼斯 of 凯瑟琳·泽塔-琼斯),
    // with the better of their scores: left beside it, a part could win the overlap and leave the rest of the name out.
    if (cutAt !== null) {
      for (const whole of cutAt.keys()) {
        const w = whole as { start: number; end: number; score: number };
        for (let k = ok.length - 1; k >= 0; k--) {
          const part = ok[k];
          if (part === whole || part.end <= w.start || part.start >= w.end) continue;
          w.start = Math.min(w.start, part.start);
          w.end = Math.max(w.end, part.end);
          w.score = Math.max(w.score, part.score);
          ok.splice(k, 1);
        }
      }
    }
    // Once for each string: a text may name the same one thousands of times (克林顿说，…).
    const judged = new Set<string>();
    for (const s of ok) {
      if (s.end - s.start < 2 || !transliterated(text, s.start, s.end)) continue;
      const key = text.slice(s.start, s.end);
      if (judged.has(key)) continue;
      judged.add(key);
      if (placeOrPeopleElsewhere(text, key)) (votes ??= new Map()).set(key, -1e6);
    }
    if (votes !== null) for (const s of ok) if (s.end - s.start >= 2) {
      const key = text.slice(s.start, s.end);
      if (votes.has(key)) votes.set(key, votes.get(key)! + 1);
    }
    const keptNames = new SpanSet(kept.filter((f) => f.type === 'person_name'));
    for (const s of ok) {
      if (votes !== null && s.end - s.start >= 2 && (votes.get(text.slice(s.start, s.end)) ?? 1) <= 0) continue;
      const part = cutAt?.get(s);
      addName(out, keptNames, part !== undefined && keptNames.overlaps(s.start, s.end) ? part : s);
    }
  }
  if (wantAddress) widenOrAddAddresses(text, out, from, addresses);
}

/**
 * The tagger's addresses beside the rules' (out[from, …), in text order): one that overlaps no rule address is added; one
 * that begins a few characters before a rule address with a house number moves its start back (the rules stop at 联, a
 * stop character of 联系, in 九龙城联合道102号 and find only 合道102号). Only the start, and only over ideographs: past the
 * number the tagger's chains run on into what is no address (路口东西, 巴士总站), which the rules have trimmed.
 */
function widenOrAddAddresses(text: string, out: RawFinding[], from: number, addresses: readonly Span[]): void {
  const rules: number[] = [];
  for (let k = from; k < out.length; k++) if (out[k].type === 'address') rules.push(k);
  rules.sort((a, b) => out[a].start - out[b].start);
  let p = 0;
  for (const s of addresses) {
    while (p < rules.length && out[rules[p]].end <= s.start) p++;
    if (p === rules.length || out[rules[p]].start >= s.end) {
      out.push({ type: 'address', start: s.start, end: s.end, score: Math.round(s.score * 1000) / 1000, detector: 'ner' });
      continue;
    }
    const r = out[rules[p]];
    if (standingAddress(r) && s.start < r.start && r.start - s.start <= 8 && s.end > r.start && ideographsOnly(text, s.start, r.start)) {
      out[rules[p]] = { ...r, start: s.start };
    }
  }
}


/** Joiners between the parts of a foreign name besides dots (希尔-伍德). */
const FOREIGN_JOINERS = new Set([...'-－‐']);

/**
 * A foreign name the tagger cut at a dot or hyphen (约翰 of 约翰．凡布鲁, 伍德 of 希尔-伍德) taken whole: over each joiner
 * followed (or preceded) by two or more transliteration characters. Only a span of transliteration characters itself.
 */
function wholeForeignName(text: string, s: Span): Span {
  if (s.end - s.start < 2 || !transliterated(text, s.start, s.end)) return s;
  let { start, end } = s;
  const joiner = (c: string | undefined) => c !== undefined && (NAME_DOTS.has(c) || FOREIGN_JOINERS.has(c));
  const isTrans = (i: number) => i >= 0 && i < text.length && (lexBits(text.charCodeAt(i)) & LEX_TRANS) !== 0;
  // A part is taken only whole: a run of transliteration characters that ends where the ideographs do (not 麦克 of
  // 麦克劳克林, whose 劳 is no transliteration character in the list).
  const ideograph = (i: number) => i >= 0 && i < text.length && isIdeograph(text.charCodeAt(i));
  for (;;) {
    let e = end + 1;
    while (isTrans(e)) e++;
    if (!joiner(text[end]) || e - end - 1 < 2 || ideograph(e)) break;
    end = e;
  }
  for (;;) {
    let b = start - 1;
    while (isTrans(b - 1)) b--;
    if (!joiner(text[start - 1]) || start - 1 - b < 2 || ideograph(b - 1)) break;
    start = b;
  }
  return start === s.start && end === s.end ? s : { ...s, start, end };
}

const WORD_NOT_NAME = LEX_WORD | LEX_PLACE | LEX_ORG;
const NAME_LISTS = LEX_NAME | LEX_NAME_TAGGED;

/**
 * Whether span s is the tail of a word of the lexicon that starts one or two characters before it (榆叶梅 → 叶梅,
 * 上海申花 → 申花, 飞黄腾达 → 黄腾达): a common word, place or organisation that no list holds as a name. Not when the
 * span itself is listed as a name (学雷锋 keeps 雷锋). Of the training corpora's 19,345 names, 9 are such a tail of a jieba word.
 */
function tailOfWord(text: string, s: Span, lexicon: Lexicon): boolean {
  const len = s.end - s.start;
  for (let k = 1; k <= 2 && k <= s.start && len + k <= MAX_LEN; k++) {
    if (!isIdeograph(text.charCodeAt(s.start - k))) return false;
    const lists = lexicon.lookup(F.stringHash(text, s.start - k, len + k));
    if ((lists & WORD_NOT_NAME) !== 0 && (lists & NAME_LISTS) === 0) {
      return (lexicon.lookup(F.stringHash(text, s.start, len)) & NAME_LISTS) === 0;
    }
  }
  return false;
}

/**
 * After a transliteration, a language, an ethnic group or its people (奇勒恩语, 赫哲族, 库尔德人也…, 粟特人，): no
 * person's name. 人 only before a function word or what is no ideograph (克林顿人生 is the man's life), and not in
 * 夫人 (蒙蒂夫人是…: madam).
 */
const PEOPLE_NEXT = new Set([...'语族']);
const AFTER_PEOPLE = new Set([...'的和与也都在是等及还又被把将从']);

function peopleNext(text: string, at: number): boolean {
  if (PEOPLE_NEXT.has(text[at])) return true;
  if (text[at] !== '人' || text[at - 1] === '夫') return false;
  const c = text.charCodeAt(at + 1);
  return !isIdeograph(c) || AFTER_PEOPLE.has(text[at + 1]);
}

/**
 * Whether the text shows the transliteration `key` as a place at any of its mentions (来自赞尼特岛。赞尼特期…), or as a
 * language or a people (统称为奇勒恩人，说奇勒恩语): the one-sense vote then counts against every mention. None of the
 * training corpora's transliterated names is followed by 语, 族 or 人. (The mentions kept as names are shaped like
 * names, so reading them too changes nothing.)
 */
function placeOrPeopleElsewhere(text: string, key: string): boolean {
  for (let i = text.indexOf(key); i >= 0; i = text.indexOf(key, i + 1)) {
    if (peopleNext(text, i + key.length)) return true;
    if (nameShape(text, i, i + key.length) === SHAPE_PLACE) return true;
  }
  return false;
}

/** A tagger span as a finding, unless a rule finding that stands covers it (it keeps its own boundaries). */
function ideographsOnly(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isIdeograph(text.charCodeAt(i))) return false;
  return true;
}

function addName(out: RawFinding[], kept: SpanSet, s: Span): void {
  if (kept.overlaps(s.start, s.end)) return;
  out.push({ type: 'person_name', start: s.start, end: s.end, score: Math.round(s.score * 1000) / 1000, detector: 'ner' });
}
