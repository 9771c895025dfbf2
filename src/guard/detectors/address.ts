import type { RawFinding } from '../types.ts';
import { KeywordIndex } from '../keywords.ts';
import { CITIES, PROVINCES } from '../data/places.ts';
import { keyEndingAt, valueAfterKey } from './keys.ts';

/**
 * Street addresses. An address starts at a gazetteer name (province, city, district), after an address
 * label (地址：, 住在, 位于 …), or a few characters before a "…路12号" anchor, and is parsed forward as a chain
 * of components: administrative units, roads, house/building/unit/room numbers and named places. Only
 * chains that reach street level (a number, or a road or village under an administrative unit) count —
 * "北京市朝阳区" alone is not personal data.
 */
/** Labels of where a person lives or is reached: what follows, at street level, is an address without the tagger's word. */
const PERSONAL_CUES = new Set(['地址', '住址', '住所', '家住', '家住在', '家在', '住在', '居住在', '现住', '现居', '户籍地', '户籍所在地', '通讯地址',
  '联系地址', '收货地址', '送货地址', '户籍地址', '现住址', '现居地', '居住地', '现居住地', '经常居住地', '住所地', '户口所在地', '暂住地', '居住地址', '暂住地址', '现居住地址']);
/** Words before where anything lies or goes (an organisation, a sight, 传送到 …): what follows needs the tagger to agree. */
const PLACE_CUES = ['寄往', '寄至', '寄到', '送至', '送到', '位于', '坐落于', '地点', '注册地', '经营场所', '办公地点', '所在地',
  '现址', '原址', '旧址', '新址', '校址', '厂址', '会址'];
const GAZ = new Set([...PROVINCES, ...CITIES]);
export const ADDRESS_STARTS = new KeywordIndex([...GAZ, ...PERSONAL_CUES, ...PLACE_CUES]);

/** Whether a province or prefecture-level city with its 省/市/县/区 starts at `pos` (郑州市…): a place, no person. */
export function placeWithSuffixAt(text: string, pos: number): boolean {
  const word = ADDRESS_STARTS.at(text, pos);
  return word !== undefined && GAZ.has(word) && ADMIN_SUFFIX.has(text.charCodeAt(pos + word.length));
}
const ADMIN_SUFFIX = new Set([...'省市县区'].map((c) => c.charCodeAt(0)));

// A CJK character that can be part of a place name (not a function word).
const P_STOP = '的了是在与及或等我你他她它这那从向对将把被给让请也都就又还已曾再不没无要会能可该每各位名次份元亿请于至到住';
// Words that end a place name where they begin; their characters alone do not (上海电影广场, 手机城, 联合道, 编号 …).
const STOP_WORDS = ['电话', '手机', '联系', '姓名', '邮编'];
// Tested as a first and a second character (电机 stops too, which costs a place name nothing): two classes, in the
// pattern and in isP alike.
const STOP_FIRST = STOP_WORDS.map((w) => w[0]).join('');
const STOP_SECOND = STOP_WORDS.map((w) => w[1]).join('');
const P = `(?:(?![${STOP_FIRST}][${STOP_SECOND}])(?![${P_STOP}])[\\u4e00-\\u9fa5A-Za-z])`;
const ADMIN = new RegExp(`${P}{1,8}?(?:特别行政区|自治区|自治州|自治县|省|市|地区|盟|新区|区|县|旗|镇|乡|街道|办事处|區|縣|鎮|鄉)`, 'y');
// 道 ends a road only before a house or building number (天津 鞍山西道233号, 深圳 高新南七道R2-B栋): alone it is in too many
// words (渠道, 知道, 街道), and not even then in a channel, a track or a tunnel (渠道12号窗口, 轨道1号线).
const ROAD = new RegExp(`${P}{1,10}?(?:大道|大街|路|街|巷|弄|胡同|里|(?<![渠频轨隧跑赤车航通知管坑])道(?=\\d+(?:-\\d+)?[号號](?![线店])|[A-Za-z]\\d))(?:[东西南北中]段|[一二三四五六七八九十\\d]+段)?`, 'y');
// Numbers of houses, buildings, units and rooms, in simplified or traditional characters (臺北市…四段100號); a building
// may be named by letters and digits (A座, R2-B栋, B塔), and a tower by its letter before the room (望京SOHO T1-1203).
const NUM = /\d+(?:-\d+)* ?(?:号院|号楼|号|號院|號樓|號|弄|巷|栋|棟|幢|座|单元|單元|层|層|楼|樓|室|房|户|組|组|排|期)|[一二三四五六七八九十百零〇]+ ?(?:号院|号楼|号|號院|號樓|號|栋|棟|幢|座|单元|單元|层|層|楼|樓|室|組|组)(?![市县区])|[A-Za-z]\d{0,3}(?:-?[A-Za-z0-9]{1,3})?(?:座|栋|棟|幢|区|區|楼|樓|塔)|[A-Za-z]\d{1,2}-\d{2,5}(?![\d号號])|[A-Za-z]\d{1,5}[号號]|\d+(?:-\d+){1,3}(?![\d号號])/y;
/** A room number written bare after its building or unit (SOHO现代城A座1201, 2单元501): not a year, a sum or a count. */
const ROOM = /\d{2,5}(?:室|房)?(?![\d.．%％年月日时元万亿千百个人次届岁])/y;
const BUILDING_END = /(?:座|栋|棟|幢|单元|單元|楼|樓|层|層)$/;
const SUB_NUMBER = /(?:附|之)\d{1,4}[号號]?/y;
const BUILDING_WORDS = ['写字楼', '办公楼', '商务楼', '综合楼', '主楼', '副楼', '裙楼', '塔楼'];
const BUILDING_WORD_FIRST = new Uint8Array(65536);
for (const w of BUILDING_WORDS) BUILDING_WORD_FIRST[w.charCodeAt(0)] = 1;
const PLACE = new RegExp(`(?:${BUILDING_WORDS.join('|')})|${P}{1,10}?(?:小区|花园|大厦|公寓|家园|新村|苑|广场|园区|产业园|工业园|科技园|写字楼|商务楼|大楼|中心|村|社区|屯|庄|城|园|[A-Za-z]{2,}(?=\\d| ?[A-Za-z]\\d))`, 'y');
const SUFFIX = /(?:特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区|省|市|区|县)?/y;
const STOP = new Uint8Array(65536);
for (const ch of P_STOP) STOP[ch.charCodeAt(0)] = 1;
const STOP_WORD_CHAR = new Uint8Array(65536);
for (const ch of STOP_FIRST) STOP_WORD_CHAR[ch.charCodeAt(0)] |= 1;
for (const ch of STOP_SECOND) STOP_WORD_CHAR[ch.charCodeAt(0)] |= 2;
const NUMERAL_START = new Uint8Array(65536);
for (const ch of '一二三四五六七八九十百零〇') NUMERAL_START[ch.charCodeAt(0)] = 1;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Whether text[i] is one character of P. */
function isP(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (!((c >= 0x4e00 && c <= 0x9fa5) || isLetter(c)) || STOP[c] === 1) return false;
  return (STOP_WORD_CHAR[c] & 1) === 0 || (STOP_WORD_CHAR[text.charCodeAt(i + 1)] & 2) === 0;
}

/** After a label: a colon, =, 为 or 是, in quotes or HTML tags as JSON, query strings and pages write it ("住址":", 住址=, 住址</td><td>). */
const CUE_TAIL = /["']?\s*[:=为是]?\s*["']?(?:<\/?[A-Za-z][^<>]{0,200}>\s*)*/y;
const ANCHOR_STICKY = /(?:路|街|道|巷|弄|胡同|里)\d+(?:-\d+)?[号號]/y;

const Kind = { Admin: 0, Road: 1, Num: 2, Place: 3 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface Chain {
  end: number;
  admins: number;
  roads: number;
  nums: number;
  places: number;
}

function matchLength(re: RegExp, text: string, pos: number): number {
  re.lastIndex = pos;
  return re.test(text) ? re.lastIndex - pos : 0;
}

const COMPONENTS: ReadonlyArray<[RegExp, Kind]> = [[NUM, Kind.Num], [ADMIN, Kind.Admin], [ROAD, Kind.Road], [PLACE, Kind.Place]];

// First characters of the suffixes of ADMIN (1), ROAD (2) and PLACE (4); PLACE also ends in ASCII letters.
const SUFFIX_START = new Uint8Array(65536);
for (const [chars, bit] of [['特自省市地盟新区县旗镇乡街办區縣鎮鄉', 1], ['大街路巷弄胡里道', 2], ['小花大公家新苑广园产工科写商中村社屯庄城', 4]] as const) {
  for (const ch of chars) SUFFIX_START[ch.charCodeAt(0)] |= bit;
}
const BIT: Readonly<Record<Kind, number>> = { [Kind.Num]: 0, [Kind.Admin]: 1, [Kind.Road]: 2, [Kind.Place]: 4 };

/**
 * Which of ADMIN, ROAD and PLACE can match at `pos` (bits as in SUFFIX_START): each is 1–8 (ADMIN) or
 * 1–10 P characters followed by its suffix, so some suffix must start right after a run of P characters.
 */
function possibleNamed(text: string, pos: number): number {
  // A building word on its own (写字楼32层) is a place too.
  let mask = BUILDING_WORD_FIRST[text.charCodeAt(pos)] === 1 ? 4 : 0;
  const n = text.length;
  for (let q = pos + 1; q <= pos + 10 && q < n; q++) {
    if (!isP(text, q - 1)) break;
    const c = text.charCodeAt(q);
    let f = SUFFIX_START[c];
    if (isLetter(c)) f |= 4;
    if (q - pos > 8) f &= 6;
    mask |= f;
  }
  return mask;
}

function step(text: string, pos: number): [Kind, number] | null {
  // Every component starts with a digit, an ASCII letter or a CJK ideograph (numerals included).
  const c0 = text.charCodeAt(pos);
  if (!((c0 >= 48 && c0 <= 57) || (c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122) || (c0 >= 0x3007 && c0 <= 0x9fa5))) {
    return null;
  }
  // NUM starts with a digit, a letter or a numeral; the others with a P character.
  const num = (c0 >= 48 && c0 <= 57) || isLetter(c0) || NUMERAL_START[c0] === 1;
  const named = isP(text, pos) ? possibleNamed(text, pos) : 0;
  let best: [Kind, number] | null = null;
  for (const [re, kind] of COMPONENTS) {
    if (kind === Kind.Num ? !num : (named & BIT[kind]) === 0) continue;
    const len = matchLength(re, text, pos);
    if (len > 0 && (best === null || len < best[1])) best = [kind, len];
  }
  // "花园路", "中关村大街": a place or unit name that a road suffix follows is part of the road.
  if (best !== null && (best[0] === Kind.Place || best[0] === Kind.Admin) && (named & 2) !== 0) {
    const r = matchLength(ROAD, text, pos);
    if (r > best[1] && r - best[1] <= 2) best = [Kind.Road, r];
  }
  return best;
}

function parseChain(text: string, start: number, firstAdmin: number): Chain {
  const chain: Chain = { end: start, admins: 0, roads: 0, nums: 0, places: 0 };
  let pos = start;
  if (firstAdmin > 0) {
    pos = start + firstAdmin;
    // Optional suffix after a gazetteer name: 省, 市, 区 …
    pos += matchLength(SUFFIX, text, pos);
    chain.admins = 1;
    chain.end = pos;
  }
  for (let n = 0; n < 12; n++) {
    const g = text.charCodeAt(pos);
    const gap = g === 32 || g === 44 ? 1 : 0;
    const s = step(text, pos + gap);
    if (!s) break;
    // After a comma, a province, city or district once the chain has reached a street starts the next address
    // (北京市朝阳区建国路88号，北京市…): two addresses joined would end at the step cap, mid-way through one.
    if (gap === 1 && g === 44 && s[0] === Kind.Admin && (chain.roads > 0 || chain.nums > 0)) break;
    pos += gap + s[1];
    if (s[0] === Kind.Num && BUILDING_END.test(text.slice(pos - s[1], pos)) && matchLength(NUM, text, pos) === 0) {
      pos += matchLength(ROOM, text, pos);
    }
    // A sub-number after a house number (人民南路四段12号附3号, 88号之1).
    if (s[0] === Kind.Num) pos += matchLength(SUB_NUMBER, text, pos);
    if (s[0] === Kind.Admin) chain.admins++;
    else if (s[0] === Kind.Road) chain.roads++;
    else if (s[0] === Kind.Num) chain.nums++;
    else chain.places++;
    chain.end = pos;
  }
  return chain;
}

function streetLevel(c: Chain): boolean {
  if (c.nums > 0) return c.roads + c.places + c.admins > 0;
  return (c.roads > 0 || c.places > 0) && c.admins > 0;
}

const ROAD_END = new Uint8Array(65536);
for (const ch of '路街道巷弄里') ROAD_END[ch.charCodeAt(0)] = 1;

/**
 * Starts of the anchors `sticky` matches. Every anchor holds digits, which start an alphanumeric run: only the starts
 * `startAt(run start)` gives (or -1) are tried.
 */
function anchorsAt(text: string, sticky: RegExp, startAt: (p: number) => number, runs: Int32Array, runCount: number): number[] {
  const found: number[] = [];
  let next = 0;
  for (let r = 0; r < 2 * runCount; r += 2) {
    const c = text.charCodeAt(runs[r]);
    if (c < 48 || c > 57) continue;
    const s = startAt(runs[r]);
    if (s < next) continue;
    sticky.lastIndex = s;
    const m = sticky.exec(text);
    if (m === null) continue;
    found.push(s);
    next = s + m[0].length;
  }
  return found;
}

/** "…路12号": the road's last character (or 胡同) just before the digits. */
function roadAnchorAt(text: string, p: number): number {
  if (p >= 1 && ROAD_END[text.charCodeAt(p - 1)] === 1) return p - 1;
  if (p >= 2 && text.charCodeAt(p - 1) === 0x540c && text.charCodeAt(p - 2) === 0x80e1) return p - 2; // 胡同
  return -1;
}

/**
 * A building and its unit or room (12幢1单元, 7栋502): a home's address even where no city, road or label comes before it
 * (快递放到翠苑三区12幢1单元东门口). Not a year, a sum or a count after the building (3号楼2023年).
 */
const BUILDING_STICKY = /(?<!\d)\d+(?:栋|幢|棟|号楼|號樓)(?:\d+(?:单元|單元)|\d{3,4}(?![\d年月日时元万个人次户套间]))/y;
const BUILDING_AFTER_DIGITS = new Uint8Array(65536);
for (const ch of '栋幢棟号號') BUILDING_AFTER_DIGITS[ch.charCodeAt(0)] = 1;

/** "12幢…": the digits themselves, when a building word follows them. */
function buildingAnchorAt(text: string, p: number): number {
  let e = p;
  while (e < text.length && text.charCodeAt(e) >= 48 && text.charCodeAt(e) <= 57) e++;
  return BUILDING_AFTER_DIGITS[text.charCodeAt(e)] === 1 ? p : -1;
}

/** Two lists, each ascending by `at`, as one (at one position, b's items first). */
function mergeAscending<T>(a: readonly T[], b: readonly T[], at: (x: T) => number): readonly T[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const all: T[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && at(b[j]) <= at(x)) all.push(b[j++]);
    all.push(x);
  }
  while (j < b.length) all.push(b[j++]);
  return all;
}

/**
 * Keys of structured data that hold a person's address: address, addr and …Address/…_address (homeAddress,
 * shipping_address; not ip_address, mac_address, email_address or a server's), and pinyin initials (dz 地址, zz 住址,
 * jtzz 家庭住址, hjdz 户籍地址, xzz 现住址, txdz 通讯地址, shdz 收货地址 …).
 */
const PINYIN_ADDRESS_KEY = /^(?:[a-z]{0,3}dz|[a-z]{0,2}zz|hjd)$/;
const NOT_ADDRESS = /(?:ip|mac|email|mail|server|web|remote|local|host|net|network|bind|listen|proxy|wallet|contract|memory|base|return|ret|virtual|physical|broadcast|gateway|multicast|hw|ether)[_-]?addr(?:ess)?$/;

function isAddressKey(key: string): boolean {
  const k = key.toLowerCase();
  if (PINYIN_ADDRESS_KEY.test(k)) return true;
  return (k.endsWith('address') || k.endsWith('addr')) && !NOT_ADDRESS.test(k);
}

/** Whether a run of letters ends as those keys do (…ss, …dr, …dz, …zz, hjd): a cheap first test. */
function endsLikeAddressKey(text: string, end: number): boolean {
  const a = text.charCodeAt(end - 1) | 32;
  const b = text.charCodeAt(end - 2) | 32;
  return (a === 115 && b === 115) || (a === 114 && b === 100) || (a === 122 && (b === 100 || b === 122)) || (a === 100 && b === 106);
}

/** Where the values of address keys begin, as label-like starts ([position, '']) in text order. */
function addressKeyValues(text: string, runs: Int32Array, runCount: number): Array<[number, string]> {
  const values: Array<[number, string]> = [];
  for (let r = 0; r < 2 * runCount; r += 2) {
    if (runs[r + 1] - runs[r] < 2 || !endsLikeAddressKey(text, runs[r + 1])) continue;
    const found = keyEndingAt(text, runs[r], runs[r + 1]);
    if (!found || !isAddressKey(found[1])) continue;
    const at = valueAfterKey(text, found[0], runs[r + 1]);
    if (at >= 0) values.push([at, '']);
  }
  return values;
}

/**
 * `starts`: ADDRESS_STARTS.findAll(text), when the caller has it already; `runs`, `runCount`: the alphanumeric runs of
 * the text, as the tokenizer (tokens.ts) gives them.
 */
export function detectAddresses(
  text: string, out: RawFinding[], starts: ReadonlyArray<[number, string]> | undefined, runs: Int32Array, runCount: number,
): void {
  const spans: Array<[number, number]> = [];
  let coveredTo = -1;
  // Labels, keys of structured data and gazetteer names, in text order.
  const labels = mergeAscending(starts ?? ADDRESS_STARTS.findAll(text), addressKeyValues(text, runs, runCount), (x) => x[0]);
  for (const [at, word] of labels) {
    if (at < coveredTo) continue;
    let start: number;
    let admin = 0;
    if (GAZ.has(word)) {
      start = at;
      admin = word.length;
    } else {
      CUE_TAIL.lastIndex = at + word.length;
      start = at + word.length + (CUE_TAIL.exec(text)?.[0].length ?? 0);
    }
    const c = parseChain(text, start, admin);
    if (!streetLevel(c)) continue;
    spans.push([start, c.end]);
    const detector = c.nums > 0 ? 'address.number' : PERSONAL_CUES.has(word) || word === '' ? 'address.label' : 'address.place';
    out.push({ type: 'address', start, end: c.end, score: admin ? 0.9 : 0.85, detector });
    coveredTo = c.end;
  }
  // "…路12号" anchors not yet covered: back up over place-name characters, then parse forward. Anchors come in
  // text order, as do the spans above (apart, ascending): one pointer into them, and the furthest end of the spans
  // found here, tell whether an anchor is covered (a text of thousands of addresses must not test every span).
  let p = 0;
  let anchoredTo = -1;
  const roads = anchorsAt(text, ANCHOR_STICKY, (p) => roadAnchorAt(text, p), runs, runCount);
  const buildings = anchorsAt(text, BUILDING_STICKY, (p) => buildingAnchorAt(text, p), runs, runCount);
  for (const a of mergeAscending(roads, buildings, (x) => x)) {
    while (p < spans.length && spans[p][1] <= a) p++;
    if ((p < spans.length && spans[p][0] <= a) || a < anchoredTo) continue;
    let s = a;
    while (s > 0 && a - s < 12 && isP(text, s - 1)) s--;
    for (; s < a; s++) {
      const c = parseChain(text, s, 0);
      if (c.end > a && c.nums > 0 && (c.roads > 0 || c.admins > 0 || (c.places > 0 && s < a))) {
        out.push({ type: 'address', start: s, end: c.end, score: 0.8, detector: 'address.number' });
        anchoredTo = Math.max(anchoredTo, c.end);
        break;
      }
    }
  }
}
