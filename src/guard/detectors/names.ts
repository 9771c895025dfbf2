import type { RawFinding } from '../types.ts';
import { KeywordIndex } from '../keywords.ts';
import { LabelSet } from '../labels.ts';
import { isIdeograph, isSpace } from '../chars.ts';
import {
  COMPOUND_SURNAMES, GIVEN_CHARS, NAME_CUES, NAME_STOP, NAME_VERBS, SINGLE_SURNAMES, TITLE_SUFFIXES,
} from '../data/names.ts';
import { placeWithSuffixAt } from './address.ts';
import { alphanumericRuns, keyEndingAt, valueAfterKey } from './keys.ts';

/**
 * Chinese personal names. A name is a known surname and one or two given-name characters, accepted only in
 * a context that marks it as a name: a label (姓名：, 联系人, 参会人员：…, including lists of names), a title
 * after it (先生, 女士, 同志, 局长 …), a speech verb after it (表示, 指出 …, stricter), or a phone/ID
 * number or gender right after it.
 */
const SURNAME = new Set<number>();
for (let i = 0; i < SINGLE_SURNAMES.length; i++) SURNAME.add(SINGLE_SURNAMES.charCodeAt(i));
const COMPOUND = new Set(COMPOUND_SURNAMES);
const TOP_SURNAME = new Set<number>();
for (let i = 0; i < 100; i++) TOP_SURNAME.add(SINGLE_SURNAMES.charCodeAt(i));
const GIVEN = new Set<number>();
for (let i = 0; i < GIVEN_CHARS.length; i++) GIVEN.add(GIVEN_CHARS.charCodeAt(i));
const STOP = new Set<number>();
for (const ch of NAME_STOP + '某氏') STOP.add(ch.charCodeAt(0));
// Characters that may precede a surname as a preposition or conjunction ("向李明同志").
const LEAD = new Set<number>();
for (const ch of '向于和经对将把被给与同及由在请让叫为从跟称是有等致') LEAD.add(ch.charCodeAt(0));

// Common words that begin with a surname character.
const NOT_NAMES = new Set(
  ('公司 全国 全体 全市 全省 全区 全县 全部 全面 安全 安排 管理 高速 高级 高度 金融 金额 文件 文化 方面 方案 方式 方向 方法 时间 时候 常务 ' +
    '常委 常规 国家 国务 国际 国内 华为 明天 明年 明确 江苏 江西 海南 海关 海外 云南 黄金 石油 白天 万元 于是 和平 关于 关系 路上 ' +
    '成功 成为 成本 成员 项目 车辆 宁波 苏州 杭州 温州 贵州 广州 福州 章程 程序 商务 商品 商业 应用 应急 平台 平安 信息 信用 元旦 ' +
    '周末 周年 包括 计划 计算 毛利 武汉 龙头 相关 相应 孔子 谈话 谈判 任务 任何 任职 任命 席位 班子 班组 宣传 宣布 展开 支持 ' +
    '支付 都是 都有 连续 连接 简单 简称 解决 解释 居民 居住 师资 司法 司机 古代 单位 单独 戴上 向上 向下 区域 区别 花费 能源 ' +
    '齐全 史上 车主 房屋 房产 祝贺 申请 申报 曲线 严格 严重 余额 余下 康复 包含 冷静 温度 晋升 丰富 原因 原来 原则 来源 来自 ' +
    '尚未 易于 通过 利用 利润 利息 如何 雷达 水平 党委 党员 党组 党建 党支部 燕京 楚天 蓝色 红色 华东 华南 华北 东方 西方 南方 北方')
    .split(' '),
);

/**
 * The two characters at text[i, i + 2) as one small integer when both are CJK ideographs, else -1: the
 * surname and word sets below hold only ideograph pairs, so this replaces a two-character slice.
 */
function pairKey(text: string, i: number): number {
  if (i < 0 || i + 1 >= text.length) return -1;
  const a = text.charCodeAt(i);
  const b = text.charCodeAt(i + 1);
  if (!isIdeograph(a) || !isIdeograph(b)) return -1;
  return (a - 0x4e00) * 0x5200 + (b - 0x4e00);
}

function pairKeys(words: Iterable<string>): Set<number> {
  const keys = new Set<number>();
  for (const w of words) {
    if (w.length !== 2) continue; // never equal to a two-character slice
    const k = pairKey(w, 0);
    if (k < 0) throw new Error(`not a pair of ideographs: ${w}`);
    keys.add(k);
  }
  return keys;
}
const COMPOUND_KEYS = pairKeys(COMPOUND);
const NOT_NAME_KEYS = pairKeys(NOT_NAMES);

function surnameLength(text: string, pos: number): number {
  if (COMPOUND_KEYS.has(pairKey(text, pos))) return 2;
  return SURNAME.has(text.charCodeAt(pos)) ? 1 : 0;
}

function okGiven(c: number): boolean {
  return isIdeograph(c) && !STOP.has(c);
}

/** Parse a name starting at pos; returns its end, or -1. `strict` demands common given-name characters. */
function parseNameAt(text: string, pos: number, strict: boolean): number {
  const sl = surnameLength(text, pos);
  if (sl === 0) return -1;
  const g = pos + sl;
  const c1 = g < text.length ? text.charCodeAt(g) : 0;
  if (!okGiven(c1)) return -1;
  const c2 = g + 1 < text.length ? text.charCodeAt(g + 1) : 0;
  const c3 = g + 2 < text.length ? text.charCodeAt(g + 2) : 0;
  let end: number;
  if (okGiven(c2) && (GIVEN.has(c2) || !okGiven(c3))) end = g + 2;
  else end = g + 1;
  if (strict) {
    for (let i = g; i < end; i++) if (!GIVEN.has(text.charCodeAt(i))) return -1;
  }
  if (sl === 1 && NOT_NAME_KEYS.has(pairKey(text, pos))) return -1;
  return end;
}

function codeAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : 0;
}

function isBoundary(text: string, i: number): boolean {
  if (i < 0) return true;
  const c = text.charCodeAt(i);
  return !isIdeograph(c) || STOP.has(c) || LEAD.has(c);
}

/** Find the start of a name ending at `end` (exclusive), or -1. */
function nameEndingAt(text: string, end: number, strict: boolean, needBoundary: boolean): number {
  // "张总经理", "王主任": a bare surname before a title is not a full name.
  if (
    !needBoundary && TOP_SURNAME.has(codeAt(text, end - 1)) && !GIVEN.has(codeAt(text, end - 2)) &&
    !COMPOUND_KEYS.has(pairKey(text, end - 3)) &&
    (!SURNAME.has(codeAt(text, end - 2)) || NOT_NAME_KEYS.has(pairKey(text, end - 3)))
  ) {
    return -1;
  }
  // Compound surname + 1–2 given characters.
  for (let len = 4; len >= 3; len--) {
    const s = end - len;
    if (s >= 0 && COMPOUND_KEYS.has(pairKey(text, s)) && (!needBoundary || isBoundary(text, s - 1))) {
      let ok = true;
      for (let i = s + 2; i < end; i++) if (!okGiven(codeAt(text, i))) ok = false;
      if (ok) return s;
    }
  }
  const c3 = codeAt(text, end - 3);
  const c2 = codeAt(text, end - 2);
  const c1 = codeAt(text, end - 1);
  const try3 = SURNAME.has(c3) && okGiven(c2) && okGiven(c1) && !(LEAD.has(c3) && SURNAME.has(c2)) &&
    (!needBoundary || isBoundary(text, end - 4));
  const try2 = SURNAME.has(c2) && okGiven(c1) && (!needBoundary || isBoundary(text, end - 3));
  let s = -1;
  if (try3 && (!try2 || GIVEN.has(c2))) s = end - 3;
  else if (try2) s = end - 2;
  else if (try3) s = end - 3;
  if (s < 0) return -1;
  if (strict) for (let i = s + 1; i < end; i++) if (!GIVEN.has(codeAt(text, i))) return -1;
  if (NOT_NAME_KEYS.has(pairKey(text, s))) return -1;
  return s;
}

const CUE = 1;
const TITLE = 2;
const VERB = 4;
const KIND = new Map<string, number>();
// 姓名 spaced out to line up a form's labels (姓  名：张三; the ideographic space is folded to spaces before this).
for (const w of [...NAME_CUES, '姓 名', '姓  名', '姓   名', '姓    名']) KIND.set(w, (KIND.get(w) ?? 0) | CUE);
for (const w of TITLE_SUFFIXES) if (!w.startsWith('副')) KIND.set(w, (KIND.get(w) ?? 0) | TITLE);
for (const w of NAME_VERBS) KIND.set(w, (KIND.get(w) ?? 0) | VERB);
export const NAME_KEYWORDS = new KeywordIndex(KIND.keys());

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
/** Labels of a form's other fields: a value between a name label and one of these (姓名 王小二 性别 男) is the name field. */
const FORM_FIELDS = new KeywordIndex(['性别', '出生', '民族', '籍贯', '年龄', '身份证', '证件', '电话', '手机', '联系电话', '联系方式',
  '职务', '职称', '职位', '部门', '单位', '工作单位', '学历', '学位', '政治面貌', '婚姻', '住址', '地址', '现住址', '户籍', '邮箱', '工号',
  '编号', '岗位', '专业', '毕业', '备注', '签名', '日期', '英文名', '外文名', '中文名', '曾用名', '别名', '昵称', '国籍']);
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
 * Which rule found a name: a label with a colon (names.label), a weaker label (names.cue), a title after
 * it (names.title), a speech verb (names.verb), a phone/ID/e-mail beside it (names.pii), a gender after it
 * (names.gender). The tagger (detectors/ner.ts) trusts the first, fifth and sixth on their own and wants
 * its own agreement for the others.
 */
export type NameRule = 'names.label' | 'names.cue' | 'names.title' | 'names.verb' | 'names.pii' | 'names.gender';

function push(out: RawFinding[], start: number, end: number, score: number, rule: NameRule): void {
  out.push({ type: 'person_name', start, end, score, detector: rule });
}

/**
 * After a label with a colon (a form's field) the name is the whole value when the value ends there: a four-character
 * name with one surname (易烊千玺) or a name with a middle dot (马克·吐温) — not a title, a gender or a kinship word run
 * on after it (张三丰先生, 张三丰男, 王菲姐姐).
 */
function fieldEnd(text: string, pos: number, end: number): number {
  let r = end;
  let dots = 0;
  while (r < text.length && r - pos < 12) {
    const c = text.charCodeAt(r);
    if (c === 0xb7 && isIdeograph(codeAt(text, r + 1))) { dots++; r++; continue; }
    if (!okGiven(c)) break;
    r++;
  }
  // The field must end here: the text's end or what is no ideograph (a stop character such as 的 is one).
  if (r === end || r - pos > (dots > 0 ? 12 : 4) || isIdeograph(codeAt(text, r))) return end;
  if (KIND.has(text.slice(end, end + 2)) || FIELD_TAIL.has(codeAt(text, r - 1))) return end;
  return r;
}
/** Last characters of a gender or a kinship word run on after a name (张三丰男, 王菲姐姐), not of a four-character name. */
const FIELD_TAIL = new Set([...'男女姐妹哥弟爸妈爷奶叔姨舅姑婆嫂'].map((c) => c.charCodeAt(0)));

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

/**
 * A name of parts joined by a middle dot, as Uyghur, Kazakh, Tibetan and foreign names are written (阿卜杜拉·买买提,
 * 热依拉·阿不都): its end when the value is such a name whole, whatever its characters (买 and 拉 are in no Chinese name),
 * or -1.
 */
function dottedNameEnd(text: string, pos: number): number {
  let r = pos;
  let dots = 0;
  let run = 0;
  while (r < text.length && r - pos <= 16) {
    const c = text.charCodeAt(r);
    if (c === 0xb7 && run > 0 && isIdeograph(codeAt(text, r + 1))) { dots++; run = 0; r++; continue; }
    // The next field's label may follow with no separator (姓名：朱利叶斯·欧文英文名：…).
    if (!isIdeograph(c) || (dots > 0 && run > 0 && FORM_FIELDS.at(text, r) !== undefined)) break;
    run++;
    r++;
  }
  return dots > 0 && run > 0 && codeAt(text, r) !== 0xb7 && (!isIdeograph(codeAt(text, r)) || FORM_FIELDS.at(text, r) !== undefined) ? r : -1;
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

const TABLE_SEPS = new Set([124 /* | */, 9 /* tab */, 44 /* , */]);
const RULE_LINE = /^[\s|:\-+=]*$/;

/**
 * A table whose header names a column 姓名, 联系人, 负责人 … (markdown, tab-separated or CSV): the cells of that column in
 * the rows below are names when they are one whole name each. `at` is a label's position in the header; returns where
 * the table ends, or the header line when there is no table (the caller skips labels before it, so each line and each
 * table is read once however many labels they hold), and how many names its columns held.
 */
function namesInColumns(text: string, out: RawFinding[], at: number, word: string): [end: number, names: number] {
  // The label must be a whole cell: a separator or the line's edge on either side (spaces and a colon aside). Most labels
  // stand in prose (联系人张三), and this tells so without reading the line.
  let b = at;
  while (b > 0 && (text.charCodeAt(b - 1) === 32 || isQuote(text.charCodeAt(b - 1)))) b--;
  let e = at + word.length;
  while (e < text.length && (text.charCodeAt(e) === 32 || text.charCodeAt(e) === 58 || text.charCodeAt(e) === 42 || isQuote(text.charCodeAt(e)))) e++;
  if (codeAt(text, b - 1) === 62 /* > */) return namesInHtmlColumns(text, out, b, e);
  if (!cellEdge(text, b - 1) || !cellEdge(text, e)) return [at, 0];
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let lineEnd = text.indexOf('\n', at);
  if (lineEnd < 0) lineEnd = text.length;
  let sep = -1;
  for (let i = lineStart; i < lineEnd && sep < 0; i++) if (TABLE_SEPS.has(text.charCodeAt(i))) sep = text.charCodeAt(i);
  // Whatever this header turns out to be, the other labels in its line would read the same: skip to the line's end.
  if (sep < 0) return [lineEnd, 0];
  // A header is short labels, two or more (not a sentence with commas in it); its rows have as many cells. Most lines
  // with a label and a comma are prose: a long cell tells so before anything is split.
  let cellLength = 0;
  for (let i = lineStart; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if (c === sep) cellLength = 0;
    else if (!isSpace(c) && ++cellLength > 10) return [lineEnd, 0];
  }
  const sepChar = String.fromCharCode(sep);
  const cells = text.slice(lineStart, lineEnd).split(sepChar);
  if (cells.filter((c) => c.trim() !== '').length < 2) return [lineEnd, 0];
  const columns: number[] = [];
  cells.forEach((cell, i) => {
    const label = cell.trim().replace(/^["']|["']?[:*]*$/g, '');
    if (label === word || (KIND.get(label) ?? 0) & CUE || isNameKey(label)) columns.push(i);
  });
  if (columns.length === 0) return [lineEnd, 0];
  const before = out.length;
  let row = lineEnd + 1;
  for (let rows = 0; row < text.length && rows < 100_000; rows++) {
    let end = text.indexOf('\n', row);
    if (end < 0) end = text.length;
    // The cells' ends, in one pass; a row with another number of cells ends the table.
    const ends: number[] = [];
    for (let i = row; i <= end; i++) if (i === end || text.charCodeAt(i) === sep) ends.push(i);
    if (ends.length !== cells.length) break;
    if (!RULE_LINE.test(text.slice(row, end))) {
      for (const column of columns) nameCell(text, out, column === 0 ? row : ends[column - 1] + 1, ends[column]);
    }
    row = end + 1;
  }
  return [row, out.length - before];
}

const CELL_OPEN = /<t[dh](?:\s[^<>]{0,200})?>/gi;
const ROW = /\s*(?:<\/?(?:thead|tbody|tfoot)>\s*)*<tr(?:\s[^<>]{0,200})?>([^]{0,20000}?)<\/tr>/iy;

/**
 * An HTML table whose header cell text[b, e) is a name label (<th>姓名</th>): the cells of its column in the rows below,
 * when each holds one whole name. Returns where the table's rows end and how many names they held.
 */
function namesInHtmlColumns(text: string, out: RawFinding[], b: number, e: number): [end: number, names: number] {
  if (!/^<\/t[dh]>/i.test(text.slice(e, e + 5))) return [e, 0];
  // The header row: its end (without one, no label after this one is in a table either) and its start, in the 1,000
  // characters before the label (so that many labels cost each a bounded look back).
  const rowEnd = firstOf(text, '</tr>', '</TR>', e);
  if (rowEnd < 0) return [text.length, 0];
  const window = text.slice(Math.max(0, b - 1000), b);
  const row = Math.max(window.lastIndexOf('<tr'), window.lastIndexOf('<TR'));
  if (row < 0) return [rowEnd, 0];
  CELL_OPEN.lastIndex = b - window.length + row;
  // The column: how many cells open before the label's.
  let column = -1;
  for (let m = CELL_OPEN.exec(text); m && m.index < b; m = CELL_OPEN.exec(text)) column++;
  if (column < 0) return [e, 0];
  const before = out.length;
  let pos = rowEnd + 5;
  for (let rows = 0; rows < 100_000; rows++) {
    ROW.lastIndex = pos;
    const r = ROW.exec(text);
    if (!r) break;
    const inner = r.index + r[0].length - 5 - r[1].length;
    CELL_OPEN.lastIndex = inner;
    for (let k = 0, m = CELL_OPEN.exec(text); m && m.index < inner + r[1].length; k++, m = CELL_OPEN.exec(text)) {
      if (k < column) continue;
      const start = m.index + m[0].length;
      const end = text.indexOf('<', start);
      if (end > start) nameCell(text, out, start, end);
      break;
    }
    pos = ROW.lastIndex;
  }
  return [pos, out.length - before];
}

/** The first of two spellings of `word` in text from `from`, or -1. */
function firstOf(text: string, word: string, other: string, from: number): number {
  const a = text.indexOf(word, from);
  const b = text.indexOf(other, from);
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

/** Whether text[i] ends a cell: a separator, a line break, or beyond the text. */
function cellEdge(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === 10 || c === 13 || TABLE_SEPS.has(c);
}

/** A table cell text[start, end) that holds one whole name. */
function nameCell(text: string, out: RawFinding[], start: number, end: number): void {
  while (start < end && (isSpace(text.charCodeAt(start)) || isQuote(text.charCodeAt(start)))) start++;
  while (end > start && (isSpace(text.charCodeAt(end - 1)) || isQuote(text.charCodeAt(end - 1)))) end--;
  const name = parseNameAt(text, start, false);
  if (name > 0 && fieldEnd(text, start, name) === end && !placeWithSuffixAt(text, start)) push(out, start, end, 0.9, 'names.label');
}

function isQuote(c: number): boolean {
  return c === 34 || c === 39;
}

/**
 * Keys of structured data that hold a person's name: `name` and `…name`/`…Name`/`…_name` (customerName, real_name,
 * contact_name, displayName) unless what comes before `name` says it names a thing, and the pinyin initials of Chinese
 * schemas (xm 姓名, lxr 联系人, fzr 负责人, hzxm 患者姓名 …). LDAP's `cn` only with `=` (cn=张三,ou=财务部).
 */
const PINYIN_KEY = /^(?:[a-z]{0,4}_?xm|xingming|lxr|fzr|sqr|jbr|frdb|fddbr)$/;
/** What `…name` keys name when it is no person. */
const THING_NAMES = new Set(('file path host type class func function method module package pkg project product goods item sku brand ' +
  'company corp org organization organisation dept department unit team group model app application service server svc domain db ' +
  'database schema table column col field key bucket queue topic tag label category cat event job task course subject shop store ' +
  'city province prov country region area district county town street road place location loc site bank branch school college ' +
  'hospital channel device machine node pod container image dir folder sheet doc document plan policy role rule resource env var ' +
  'variable param attr attribute property prop nick screen alias en eng english pinyin py short abbr version release build repo ' +
  'bundle font icon theme layer zone cluster instance index stage step state status process thread cmd command tool plugin component ' +
  'widget view page route api endpoint metric stat report form template tpl menu button tab dict enum option setting config cfg ' +
  'mall market hotel building room station airport port line vendor supplier manufacturer factory carrier agency office industry ' +
  'sector major degree grade level position post title cert certificate sur').split(' '));
/** Keys that name a person's role (user=张三, operator: 李四, "applicant": "王五", To: 赵六), underscores and dashes dropped. */
const ROLE_KEYS = new Set(('user operator owner applicant contact creator createdby updatedby modifiedby assignee reporter approver author ' +
  'sender receiver recipient customer client patient employee staff member manager leader driver student teacher doctor nurse agent ' +
  'handler person holder cardholder accountholder consignee shipper buyer seller payer payee guest visitor passenger resident ' +
  'petitioner complainant victim suspect witness lawyer legalperson spouse father mother guardian emergencycontact signer reviewer ' +
  'auditor inspector chairman director president secretary attendee participant from to cc bcc attn').split(' '));

/**
 * Whether the run of letters text[start, end) may be such a key: it ends as the name keys do (…name, …xm, lxr, xingming,
 * frdb, cn), or a colon, = or quote follows it (a role key). A cheap first test, before the run is read as a string.
 */
function mayBeKey(text: string, start: number, end: number): boolean {
  if (endsLikeKey(text, start, end)) return true;
  if (end - start < 2 || end - start > 20) return false;
  const c = codeAt(text, end) === 32 ? codeAt(text, end + 1) : codeAt(text, end);
  return (c === 58 || c === 61 || c === 34 || c === 39 || c === 62 || c === 0xff1a) && ROLE_LAST_WORDS.has(lowerHash(text, start, end));
}

/** A hash of text[start, end) in lower case, made without a string (a collision costs one string made). */
function lowerHash(text: string, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + (text.charCodeAt(i) | 32)) | 0;
  return h;
}
/** The hashes of the role keys' last words (the run of letters a key ends with: by for created_by, contact for emergency_contact). */
const ROLE_LAST_WORDS = new Set<number>();
for (const k of 'by person contact holder names'.split(' ').concat([...ROLE_KEYS])) {
  ROLE_LAST_WORDS.add(lowerHash(k, 0, k.length));
  ROLE_LAST_WORDS.add(lowerHash(`${k}s`, 0, k.length + 1));
}

function endsLikeKey(text: string, start: number, end: number): boolean {
  const a = text.charCodeAt(end - 1) | 32;
  const b = end - start >= 2 ? text.charCodeAt(end - 2) | 32 : 0;
  switch (a) {
    case 101 /* e */: return end - start >= 4 && b === 109 && (text.charCodeAt(end - 3) | 32) === 97 && (text.charCodeAt(end - 4) | 32) === 110;
    case 109 /* m */: return b === 120;
    case 114 /* r */: return b === 120 || b === 122 || b === 113 || b === 98;
    case 103 /* g */: return b === 110;
    case 98 /* b */: return b === 100;
    case 110 /* n */: return b === 99 && end - start === 2;
    default: return false;
  }
}

/** Whether a key of structured data holds a person's name. */
export function isNameKey(key: string): boolean {
  const k = key.toLowerCase();
  const role = k.replace(/[_-]/g, '');
  // Plural keys hold lists of names (names, members, attendees, reviewers).
  if (PINYIN_KEY.test(k) || ROLE_KEYS.has(role) || (role.endsWith('s') && (ROLE_KEYS.has(role.slice(0, -1)) || role === 'names'))) return true;
  if (!k.endsWith('name')) return false;
  const prefix = k.slice(0, -4).replace(/[_-]+$/, '');
  return prefix === '' || !THING_NAMES.has(prefix.slice(prefix.search(/[a-z]+$/)));
}

/**
 * Names as values of structured data, read off the runs of ASCII letters: with English or pinyin keys in JSON and dicts
 * ("name": "张三", 'realName': '李四'), YAML, query strings and logs (customer_name=王五&…), XML (<xm>赵六</xm>,
 * name="钱七"), LDAP (cn=孙八,ou=…), the name columns of tables whose header uses such keys, and SQL INSERTs. The value
 * must be one whole name.
 */
function namesInData(text: string, out: RawFinding[], table: { end: number; names: number }, runs: Int32Array, runCount: number): void {
  let readTo = 0;
  for (let r = 0; r < 2 * runCount; r += 2) {
    const end = runs[r + 1];
    // Keys, INSERT and English words start with a letter: runs of digits (phones, dates, numbers) are most runs.
    if (text.charCodeAt(runs[r]) < 65 || runs[r] < readTo) continue;
    const next = codeAt(text, end);
    if ((next === 32 || next === 46) && end - runs[r] <= 9 && ENGLISH_CUE_FIRST[text.charCodeAt(runs[r]) | 32] === 1 &&
      ENGLISH_CUES.has(lowerHash(text, runs[r], end))) {
      nameAfterEnglishCue(text, out, end);
      continue;
    }
    if (end - runs[r] === 6 && (text.charCodeAt(end - 1) | 32) === 116 /* t */ && text.slice(runs[r], end).toLowerCase() === 'insert') {
      readTo = namesInInsert(text, out, runs[r]);
      continue;
    }
    const found = mayBeKey(text, runs[r], end) ? keyEndingAt(text, runs[r], end) : null;
    if (!found) continue;
    const [start, key] = found;
    const ldap = key.toLowerCase() === 'cn';
    if (!ldap && !isNameKey(key)) continue;
    if (!ldap && start >= table.end) [table.end, table.names] = namesInColumns(text, out, start, key);
    const pos = valueAfterKey(text, start, end, ldap);
    if (pos < 0 || namesInList(text, out, pos, true)) continue;
    const name = wholeNameEnd(text, pos);
    if (name > 0) push(out, pos, name, 0.9, 'names.label');
  }
}

const FLOW_ITEM_END = /[ \t]*["']?[ \t]*(?:,|，|、)[ \t]*["']?[ \t]*/y;
const BLOCK_ITEM = /\r?\n([ \t]*)- +["']?/y;

/**
 * The names of a list that starts at `pos`: a flow list ([张三丰, "李小龙"]), YAML's block list (a line break, then lines of
 * "- 张三丰"), or, with `commas`, a value of names separated by commas or 、 ("张三丰,李小龙"; after a Chinese label the prose
 * rules read such lists). Each item that is one whole name is reported. Returns whether a list was read.
 */
function namesInList(text: string, out: RawFinding[], pos: number, commas: boolean): boolean {
  let p = pos;
  const flow = codeAt(text, p) === 91 /* [ */;
  if (flow) {
    p++;
    while (isSpace(codeAt(text, p)) || isQuote(codeAt(text, p))) p++;
  } else if (codeAt(text, p) === 45 /* - */ || codeAt(text, p) === 10 || codeAt(text, p) === 13) {
    // YAML's block list: the colon's spaces took the line break; find the first item's line again.
    let q = p;
    while (q > 0 && (text.charCodeAt(q - 1) === 32 || text.charCodeAt(q - 1) === 9)) q--;
    if (codeAt(text, q - 1) === 10) q--;
    BLOCK_ITEM.lastIndex = q;
    if (!BLOCK_ITEM.test(text)) return false;
    let items = 0;
    for (let at = BLOCK_ITEM.lastIndex; items < 100_000; items++) {
      const name = wholeNameEnd(text, at);
      if (name < 0) break;
      push(out, at, name, 0.9, 'names.label');
      BLOCK_ITEM.lastIndex = name;
      // The next item: the rest of this line must be empty or a closing quote.
      let e = name;
      while (isQuote(codeAt(text, e)) || codeAt(text, e) === 32) e++;
      BLOCK_ITEM.lastIndex = e;
      if (!BLOCK_ITEM.test(text)) break;
      at = BLOCK_ITEM.lastIndex;
    }
    return items > 0;
  }
  if (!flow && !commas) return false;
  const found: number[] = [];
  for (let n = 0; n < 100_000; n++) {
    const name = wholeNameEnd(text, p);
    if (name < 0 && !flow) break;
    // In brackets an item that is no name (财务部) is passed over to the next comma; elsewhere it ends the list.
    let end = name;
    if (name < 0) {
      end = p;
      while (end < text.length && end - p < 64 && !',，、]\n'.includes(text[end])) end++;
      while (end > p && (isQuote(text.charCodeAt(end - 1)) || text.charCodeAt(end - 1) === 32)) end--;
    }
    FLOW_ITEM_END.lastIndex = end;
    const more = FLOW_ITEM_END.test(text);
    if (name > 0) found.push(p, name);
    if (!more) break;
    p = FLOW_ITEM_END.lastIndex;
  }
  // Without brackets one name is no list: the caller reads it as a value.
  if (!flow && found.length < 4) return false;
  for (let k = 0; k < found.length; k += 2) push(out, found[k], found[k + 1], 0.9, 'names.label');
  return true;
}

/** English words before a person's name written in Chinese (Please contact 张无忌 at ext 1234, Dear 王建国, Mr. 李明). */
const ENGLISH_CUES = new Set('dear mr mrs ms miss dr prof professor contact attn call ask tell ping meet cc'.split(' ').map((w) => lowerHash(w, 0, w.length)));
const AFTER_ENGLISH_CUE = /\.? {1,2}/y;
/** Their first letters, lower case: a cheap first test before a run is hashed. */
const ENGLISH_CUE_FIRST = new Uint8Array(128);
for (const c of 'dmpcat') ENGLISH_CUE_FIRST[c.charCodeAt(0)] = 1;

function nameAfterEnglishCue(text: string, out: RawFinding[], at: number): void {
  AFTER_ENGLISH_CUE.lastIndex = at;
  if (!AFTER_ENGLISH_CUE.test(text)) return;
  const pos = AFTER_ENGLISH_CUE.lastIndex;
  const name = wholeNameEnd(text, pos);
  if (name > 0) push(out, pos, name, 0.85, 'names.label');
}

const INSERT = /insert\s+(?:ignore\s+)?into\s+[^\s(;]{1,128}\s*\(([^()]{1,4000})\)\s*values\s*/iy;

/**
 * SQL that inserts rows with a column list (INSERT INTO t (xm, sfzh) VALUES ('张三', '…'), (…)) at `at`: the values of
 * the name columns (keys as above, or Chinese labels such as 姓名) when each is one whole name. Returns where it stopped
 * reading.
 */
function namesInInsert(text: string, out: RawFinding[], at: number): number {
  INSERT.lastIndex = at;
  const head = INSERT.exec(text);
  if (!head) return at;
  const columns: number[] = [];
  head[1].split(',').forEach((c, i) => {
    const column = c.trim().replace(/^[`"'[]|[`"'\]]$/g, '');
    if (isNameKey(column) || (KIND.get(column) ?? 0) & CUE) columns.push(i);
  });
  let pos = INSERT.lastIndex;
  if (columns.length === 0) return pos;
  // Each row: ( value, value, … ), rows separated by commas; a quoted value's start and end by column.
  for (let rows = 0; codeAt(text, pos) === 40 /* ( */ && rows < 100_000; rows++) {
    pos++;
    let column = 0;
    for (;;) {
      while (isSpace(codeAt(text, pos))) pos++;
      const q = codeAt(text, pos);
      if (q === 39 || q === 34) {
        let e = pos + 1;
        while (e < text.length && (text.charCodeAt(e) !== q || text.charCodeAt(e + 1) === q)) e += text.charCodeAt(e) === 92 || text.charCodeAt(e) === q ? 2 : 1;
        if (columns.includes(column)) quotedName(text, out, pos + 1, e);
        pos = e + 1;
      } else {
        while (pos < text.length && !',)\n'.includes(text[pos])) pos++;
      }
      while (isSpace(codeAt(text, pos))) pos++;
      if (codeAt(text, pos) !== 44 /* , */) break;
      pos++;
      column++;
    }
    if (codeAt(text, pos) !== 41 /* ) */) break;
    pos++;
    while (isSpace(codeAt(text, pos))) pos++;
    if (codeAt(text, pos) !== 44) break;
    pos++;
    while (isSpace(codeAt(text, pos))) pos++;
  }
  return pos;
}

/** A quoted value text[start, end) that is one whole name. */
function quotedName(text: string, out: RawFinding[], start: number, end: number): void {
  if (wholeNameEnd(text, start) === end) push(out, start, end, 0.9, 'names.label');
}

/**
 * The end of a value at `pos` that is one whole name, or -1: a surname and one or two characters, whatever they are
 * (the value's end tells where the name ends: 宋青书), or a name with middle dots; not four characters after one surname
 * (a key is weaker evidence than 姓名: 高亮颜色), a common word (武汉) or a place with its suffix.
 */
function wholeNameEnd(text: string, pos: number): number {
  const dotted = dottedNameEnd(text, pos);
  if (dotted > 0) return dotted;
  const sl = surnameLength(text, pos);
  let end = pos + sl;
  while (end < text.length && end - pos - sl < 2 && isIdeograph(text.charCodeAt(end))) end++;
  if (sl === 0 || end === pos + sl || isIdeograph(codeAt(text, end)) || codeAt(text, end) === 0xb7) return -1;
  if (sl === 1 && NOT_NAME_KEYS.has(pairKey(text, pos))) return -1;
  return placeWithSuffixAt(text, pos) ? -1 : end;
}

/**
 * `keywords`: NAME_KEYWORDS.findAll(text), when the caller has it already. `anchors`: findings of the other
 * detectors; only the first `anchorCount` are read, so `anchors` may be `out` itself.
 */
export function detectNames(
  text: string, out: RawFinding[], anchors: readonly RawFinding[], keywords?: ReadonlyArray<[number, string]>,
  anchorCount = anchors.length, runs?: Int32Array, runCount = 0,
): void {
  // (A) labels, (B) titles after the name, (C) speech verbs after the name — one keyword pass.
  // The table (or header line) read last, and how many names stood in its columns.
  const table = { end: -1, names: 0 };
  for (const [at, word] of keywords ?? NAME_KEYWORDS.findAll(text)) {
    const kind = KIND.get(word)!;
    if (kind & CUE) {
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
  if (!runs) [runs, runCount] = alphanumericRuns(text);
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
