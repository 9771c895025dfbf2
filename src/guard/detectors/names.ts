import type { RawFinding } from '../types.ts';
import { LabelSet } from '../labels.ts';
import { isIdeograph, isSpace } from '../chars.ts';
import { placeWithSuffixAt } from './address.ts';
import {
  CUE, FORM_FIELDS, GIVEN, KIND, NAME_KEYWORDS, SURNAME, TITLE, VERB, codeAt, dottedNameEnd, fieldEnd, isQuote, nameEndingAt,
  okGiven, parseNameAt, push, wholeNameEnd,
} from './name-shapes.ts';
import { namesInColumns } from './name-tables.ts';
import { namesInData, namesInList } from './names-data.ts';

export { NAME_KEYWORDS } from './name-shapes.ts';
export type { NameRule } from './name-shapes.ts';

/**
 * Chinese personal names. A name is a known surname and one or two given-name characters, accepted only in
 * a context that marks it as a name: a label (姓名：, 联系人, 参会人员：…, including lists of names), a title
 * after it (先生, 女士, 同志, 局长 …), a speech verb after it (表示, 指出 …, stricter), or a phone/ID
 * number or gender right after it. Tables with a name column are read by name-tables.ts, structured data (keys, lists,
 * SQL) by names-data.ts; the shape of a name is in name-shapes.ts.
 */

/**
 * What follows a label before its value: a colon or = (a form, a JSON or dict key, a query string: 姓名：, "姓名": ",
 * 姓名=), 为 or 是, a table's bar, HTML tags (<td>姓名</td><td>张三</td>, as a table's bar), or spaces. Group 1 or 2 is
 * the separator, whose kind tells how strong the label is.
 */
const CUE_TAIL = new RegExp(
  // After the label: 签字 or 姓名 (申请人姓名：), markdown emphasis (**姓名**：), a note (姓名（必填）：), an English gloss (姓名/Name：).
  '(?:\\s*(?:\\(签字\\)|\\(签名\\)|签字|签名|姓名))?(?:\\*\\*|__|\\*|_|`)?(?:\\s*[(（](?:必填|选填|可选|必须|中文|全称|签字|签名|正楷|本人)[)）])?' +
  '(?:\\s*\\/?\\s*[(（]?(?:Name|NAME|name)[)）]?(?![A-Za-z]))?' +
  // The separator: a colon or = (group 1), HTML tags or a bracket closing or opening around the label or the value (group 2,
  // 【姓名】李小龙, 姓名【王大锤】), 为, 是, a table's bar or spaces; then what opens the value (**黄蓉**, `欧阳锋`).
  '(?:["\']?(\\s*[:=]\\s*)["\']?(?:<\\/?[A-Za-z][^<>]{0,200}>\\s*)*|((?:\\s*<\\/?[A-Za-z][^<>]{0,200}>)+\\s*|\\s*[】\\]]\\s*|\\s*[【\\[]|\\s*为\\s*|\\s*是\\s*|\\s*\\|\\s*|\\s*))' +
  '(?:\\*\\*|__|`|「|“)?', 'y');
// What may stand between a name and the phone/ID after it: separators, a label (电话, 身份证号 …) or a gender.
const NEAR_PII = new LabelSet('联系电话 手机号码 手机号 电话 手机 身份证号码 身份证号 身份证 证件号码 邮箱 男 女'.split(' '));

function isNearSep(c: number): boolean {
  return c === 44 || c === 58 || c === 59 || c === 40 || c === 60 /* < */ || c === 91 /* [ */ || c === 124 || c === 0x3001 || isSpace(c) ||
    isQuote(c);
}

/**
 * Where the name before `pos` would end: the start of what /[sep]*(?:label)?[sep]*$/ matches in the
 * 16 characters before `pos`.
 */
function nearPiiStart(text: string, pos: number): number {
  const from = pos > 16 ? pos - 16 : 0;
  let q = pos;
  while (q > from && isNearSep(text.charCodeAt(q - 1))) q--;
  const w = NEAR_PII.longestEndingAt(text, q, from);
  if (w === 0) return q;
  q -= w;
  while (q > from && isNearSep(text.charCodeAt(q - 1))) q--;
  return q;
}
const GENDER_BEFORE = new Set([...' \t\n,;|、('].map((c) => c.charCodeAt(0)));
const GENDER_AFTER = new Set([...' \t\n,;|、)'].map((c) => c.charCodeAt(0)));
const PAREN_NAME = /^\s*\(\s*([\u4e00-\u9fa5]{2,4})\s*\)/;
const LIST_SEP = /^(?:\s*[、,;/]\s*|\s+|\s*和\s*|\s*及\s*|\s*与\s*)/;

/**
 * Whether a form's field ends at `end`: the text or the line ends, a table's cell ends (| or a tab), or after spaces the
 * next field's label follows (姓名 王小二 性别 男).
 */
function fieldClosed(text: string, end: number): boolean {
  let q = end;
  while (q < text.length && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
  if (q === text.length) return true;
  const c = text.charCodeAt(q);
  if (c === 10 || c === 13 || c === 124 /* | */ || c === 60 /* <, a tag */) return true;
  return (q > end && text.charCodeAt(q - 1) === 9) || (q > end && FORM_FIELDS.at(text, q) !== undefined);
}

/** What may be put between a name's characters to break it up (王 建 国, 王-建-国, 王.建.国). */
const NAME_BREAKS = new Set([...' -._*/'].map((c) => c.charCodeAt(0)));

/** A name with one and the same mark between its characters (王 建 国, 王-建-国): its end, or -1. */
function spacedNameEnd(text: string, pos: number): number {
  if (!SURNAME.has(codeAt(text, pos))) return -1;
  const mark = codeAt(text, pos + 1);
  if (!NAME_BREAKS.has(mark)) return -1;
  let end = pos + 1;
  let chars = 1;
  while (chars < 4 && codeAt(text, end) === mark && okGiven(codeAt(text, end + 1))) {
    end += 2;
    chars++;
  }
  return chars >= 2 && !isIdeograph(codeAt(text, end)) && !NAME_BREAKS.has(codeAt(text, end)) ? end : -1;
}

/** After a label: one name, or a list of names separated by 、 , ; 和 及 与. */
function namesAfterCue(text: string, out: RawFinding[], cueEnd: number, inNameTable: boolean): void {
  CUE_TAIL.lastIndex = cueEnd;
  const tail = CUE_TAIL.exec(text);
  const sep = tail ? tail[1] ?? tail[2] : '';
  const strong = sep.includes(':') || sep.includes('=') || sep.includes('为') || sep.includes('是') || /[【】[\]]/.test(sep);
  let pos = cueEnd + (tail ? tail[0].length : 0);
  // A list as structured data writes it: ["张三丰", "李小龙"], or YAML's lines of "- 张三丰".
  if (strong && namesInList(text, out, pos, false)) return;
  // A name broken up by spaces or marks after a label is one on purpose, whatever the label (我叫王 建 国, 姓名：王-建-国).
  const spaced = spacedNameEnd(text, pos);
  if (spaced > 0) { push(out, pos, spaced, 0.9, 'names.label'); return; }
  // In a table whose name column was read, a label's neighbour is the next column's label (学号	姓名	成绩), not a value.
  if (!strong && inNameTable) return;
  if (!strong && sep.length > 0 && !placeWithSuffixAt(text, pos) && FORM_FIELDS.at(text, pos) === undefined && NAME_KEYWORDS.at(text, pos) === undefined) {
    // A form laid out with spaces, tabs or a table's bars instead of a colon: the whole field, when it is one.
    const end = parseNameAt(text, pos, false);
    const field = end < 0 ? -1 : fieldEnd(text, pos, end);
    if (field > 0 && fieldClosed(text, field)) { push(out, pos, field, 0.9, 'names.label'); return; }
  }
  for (let n = 0; n < 40; n++) {
    // A province or city with its suffix is an organisation's or a place's value (被申请人：郑州市某某物业公司).
    if (placeWithSuffixAt(text, pos)) return;
    const dotted = strong ? dottedNameEnd(text, pos) : -1;
    const end = dotted > 0 ? dotted : parseNameAt(text, pos, !strong);
    if (end < 0) return;
    // A weak (colon-less) label needs a name that ends cleanly, not one cut out of running text.
    if (!strong && n === 0 && GIVEN.has(codeAt(text, end))) return;
    const field = (sep.includes(':') || sep.includes('=')) && dotted < 0 ? fieldEnd(text, pos, end) : end;
    push(out, pos, field, strong ? 0.9 : 0.75, strong ? 'names.label' : 'names.cue');
    const more = LIST_SEP.exec(text.slice(field, field + 4));
    if (!more) return;
    pos = field + more[0].length;
  }
}

/**
 * `keywords`: NAME_KEYWORDS.findAll(text), when the caller has it already. `anchors`: findings of the other
 * detectors; only the first `anchorCount` are read, so `anchors` may be `out` itself. `runs`, `runCount`: the
 * alphanumeric runs of the text, as the tokenizer (tokens.ts) gives them.
 */
export function detectNames(
  text: string, out: RawFinding[], anchors: readonly RawFinding[], keywords: ReadonlyArray<[number, string]> | undefined,
  anchorCount: number, runs: Int32Array, runCount: number,
): void {
  // (A) labels, (B) titles after the name, (C) speech verbs after the name — one keyword pass.
  // The table (or header line) read last, and how many names stood in its columns.
  const table = { end: -1, names: 0 };
  for (const [at, word] of keywords ?? NAME_KEYWORDS.findAll(text)) {
    const kind = KIND.get(word)!;
    // 此致 (敬礼) closes a letter: its 致 addresses no one.
    if (kind & CUE && !(word === '致' && at > 0 && text.charCodeAt(at - 1) === 0x6b64 /* 此 */)) {
      if (at >= table.end) [table.end, table.names] = namesInColumns(text, out, at, word);
      namesAfterCue(text, out, at + word.length, table.names > 0);
    }
    if (kind & TITLE) {
      const end = at > 0 && text.charCodeAt(at - 1) === 0x526f /* 副 */ ? at - 1 : at;
      const s = nameEndingAt(text, end, false, false);
      if (s >= 0) push(out, s, end, 0.85, 'names.title');
    } else if (kind & VERB) {
      const s = nameEndingAt(text, at, true, true);
      if (s >= 0) push(out, s, at, 0.7, 'names.verb');
    }
  }
  namesInData(text, out, table, runs, runCount);
  for (let k = 0; k < anchorCount; k++) {
    const a = anchors[k];
    if (a.type !== 'cn_mobile' && a.type !== 'cn_id_card' && a.type !== 'email' && a.type !== 'cn_landline') continue;
    // (D) A name right before a phone, ID or e-mail ("张伟 13800138000", "李娜（身份证号：…）").
    const end = nearPiiStart(text, a.start);
    const s = end > 0 ? nameEndingAt(text, end, true, true) : -1;
    if (s >= 0) push(out, s, end, 0.75, 'names.pii');
    // (D') "13800138000（马丽）".
    if (a.type === 'cn_id_card') continue;
    const pm = PAREN_NAME.exec(text.slice(a.end, a.end + 10));
    if (pm) {
      const s = a.end + pm[0].length - pm[1].length - 1;
      if (parseNameAt(text, s, false) === s + pm[1].length) push(out, s, s + pm[1].length, 0.75, 'names.pii');
    }
  }
  // (F) A mention in a group chat or a comment: @张伟 明天开会 (a nickname after @ is no name: it must be one whole name).
  for (let i = text.indexOf('@'); i >= 0; i = text.indexOf('@', i + 1)) {
    const end = wholeNameEnd(text, i + 1);
    if (end > 0) push(out, i + 1, end, 0.85, 'names.label');
  }
  // (E) "张伟，男，" / "| 李娜 | 女 |".
  for (const g of ['男', '女']) {
    for (let i = text.indexOf(g); i >= 0; i = text.indexOf(g, i + 1)) {
      if (!GENDER_AFTER.has(codeAt(text, i + 1)) && i + 1 < text.length) continue;
      let end = i;
      while (end > 0 && GENDER_BEFORE.has(text.charCodeAt(end - 1))) end--;
      if (end === i || end - i < -6) continue;
      const s = nameEndingAt(text, end, false, false);
      if (s >= 0 && end - s >= 2) push(out, s, end, 0.8, 'names.gender');
    }
  }
}
