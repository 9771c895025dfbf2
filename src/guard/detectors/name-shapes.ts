import type { RawFinding } from '../types.ts';
import { KeywordIndex } from '../keywords.ts';
import { isIdeograph } from '../chars.ts';
import {
  COMPOUND_SURNAMES, GIVEN_CHARS, NAME_CUES, NAME_STOP, NAME_VERBS, SINGLE_SURNAMES, TITLE_SUFFIXES,
} from '../data/names.ts';
import { placeWithSuffixAt } from './address.ts';

/**
 * The shape of a Chinese personal name and the words around one, shared by the name rules: surnames and given-name
 * characters, a name parsed forward from a surname or back from a title, a form's whole field, a value that is one whole
 * name, the labels, titles and speech verbs (NAME_KEYWORDS), and the keys of structured data that hold names.
 */
export const SURNAME = new Set<number>();
for (let i = 0; i < SINGLE_SURNAMES.length; i++) SURNAME.add(SINGLE_SURNAMES.charCodeAt(i));
const COMPOUND = new Set(COMPOUND_SURNAMES);
const TOP_SURNAME = new Set<number>();
for (let i = 0; i < 100; i++) TOP_SURNAME.add(SINGLE_SURNAMES.charCodeAt(i));
export const GIVEN = new Set<number>();
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

export function okGiven(c: number): boolean {
  return isIdeograph(c) && !STOP.has(c);
}

/** Parse a name starting at pos; returns its end, or -1. `strict` demands common given-name characters. */
export function parseNameAt(text: string, pos: number, strict: boolean): number {
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

export function codeAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : 0;
}

function isBoundary(text: string, i: number): boolean {
  if (i < 0) return true;
  const c = text.charCodeAt(i);
  return !isIdeograph(c) || STOP.has(c) || LEAD.has(c);
}

/** Find the start of a name ending at `end` (exclusive), or -1. */
export function nameEndingAt(text: string, end: number, strict: boolean, needBoundary: boolean): number {
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

export const CUE = 1;
export const TITLE = 2;
export const VERB = 4;
export const KIND = new Map<string, number>();
// 姓名 spaced out to line up a form's labels (姓  名：张三; the ideographic space is folded to spaces before this).
for (const w of [...NAME_CUES, '姓 名', '姓  名', '姓   名', '姓    名']) KIND.set(w, (KIND.get(w) ?? 0) | CUE);
for (const w of TITLE_SUFFIXES) if (!w.startsWith('副')) KIND.set(w, (KIND.get(w) ?? 0) | TITLE);
for (const w of NAME_VERBS) KIND.set(w, (KIND.get(w) ?? 0) | VERB);
export const NAME_KEYWORDS = new KeywordIndex(KIND.keys());

/** Labels of a form's other fields: a value between a name label and one of these (姓名 王小二 性别 男) is the name field. */
export const FORM_FIELDS = new KeywordIndex(['性别', '出生', '民族', '籍贯', '年龄', '身份证', '证件', '电话', '手机', '联系电话', '联系方式',
  '职务', '职称', '职位', '部门', '单位', '工作单位', '学历', '学位', '政治面貌', '婚姻', '住址', '地址', '现住址', '户籍', '邮箱', '工号',
  '编号', '岗位', '专业', '毕业', '备注', '签名', '日期', '英文名', '外文名', '中文名', '曾用名', '别名', '昵称', '国籍']);
/**
 * Which rule found a name: a label with a colon (names.label), a weaker label (names.cue), a title after
 * it (names.title), a speech verb (names.verb), a phone/ID/e-mail beside it (names.pii), a gender after it
 * (names.gender). The tagger (detectors/ner.ts) trusts the first, fifth and sixth on their own and wants
 * its own agreement for the others.
 */
export type NameRule = 'names.label' | 'names.cue' | 'names.title' | 'names.verb' | 'names.pii' | 'names.gender';

export function push(out: RawFinding[], start: number, end: number, score: number, rule: NameRule): void {
  out.push({ type: 'person_name', start, end, score, detector: rule });
}

/**
 * After a label with a colon (a form's field) the name is the whole value when the value ends there: a four-character
 * name with one surname (易烊千玺) or a name with a middle dot (马克·吐温) — not a title, a gender or a kinship word run
 * on after it (张三丰先生, 张三丰男, 王菲姐姐).
 */
export function fieldEnd(text: string, pos: number, end: number): number {
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
 * A name of parts joined by a middle dot, as Uyghur, Kazakh, Tibetan and foreign names are written (阿卜杜拉·买买提,
 * 热依拉·阿不都): its end when the value is such a name whole, whatever its characters (买 and 拉 are in no Chinese name),
 * or -1.
 */
export function dottedNameEnd(text: string, pos: number): number {
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

export function isQuote(c: number): boolean {
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
export const ROLE_KEYS = new Set(('user operator owner applicant contact creator createdby updatedby modifiedby assignee reporter approver author ' +
  'sender receiver recipient customer client patient employee staff member manager leader driver student teacher doctor nurse agent ' +
  'handler person holder cardholder accountholder consignee shipper buyer seller payer payee guest visitor passenger resident ' +
  'petitioner complainant victim suspect witness lawyer legalperson spouse father mother guardian emergencycontact signer reviewer ' +
  'auditor inspector chairman director president secretary attendee participant from to cc bcc attn').split(' '));

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
 * The end of a value at `pos` that is one whole name, or -1: a surname and one or two characters, whatever they are
 * (the value's end tells where the name ends: 宋青书), or a name with middle dots; not four characters after one surname
 * (a key is weaker evidence than 姓名: 高亮颜色), a common word (武汉) or a place with its suffix.
 */
export function wholeNameEnd(text: string, pos: number): number {
  const dotted = dottedNameEnd(text, pos);
  if (dotted > 0) return dotted;
  const sl = surnameLength(text, pos);
  let end = pos + sl;
  while (end < text.length && end - pos - sl < 2 && isIdeograph(text.charCodeAt(end))) end++;
  if (sl === 0 || end === pos + sl || isIdeograph(codeAt(text, end)) || codeAt(text, end) === 0xb7) return -1;
  if (sl === 1 && NOT_NAME_KEYS.has(pairKey(text, pos))) return -1;
  return placeWithSuffixAt(text, pos) ? -1 : end;
}

