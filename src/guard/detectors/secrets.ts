import type { RawFinding } from '../types.ts';
import { shannonEntropy } from '../validators.ts';
import { isAsciiAlnum, isSpace } from '../chars.ts';

/**
 * Credentials: cloud access keys, API tokens, JWTs, PEM private keys, passwords in connection strings and
 * after password labels, and high-entropy values beside key-like names. Each fixed-prefix pattern runs
 * only when its prefix occurs in the text.
 */
interface Pattern {
  prefix: string;
  re: RegExp;
  score: number;
  /** How OCR reads the prefix off a screenshot (LTAl, LTA1 for LTAI: I, l and 1 look alike); `re` accepts them. */
  misread?: readonly string[];
}

/** A pattern that starts with a letter after a non-alphanumeric: tried only at starts of alphanumeric runs. */
interface RunPattern {
  index: number;
  prefix: string;
  sticky: RegExp;
  /** The run may start with this instead of `prefix` ("rk_live_" for "sk_live_"). */
  alt?: string;
  misread?: readonly string[];
}

const PATTERNS: Pattern[] = [
  { prefix: 'LTAI', re: /(?<![A-Za-z0-9])LTA[Il1][0-9A-Za-z]{12,28}(?![A-Za-z0-9])/g, score: 0.98, misread: ['LTAl', 'LTA1'] },
  { prefix: 'AKID', re: /(?<![A-Za-z0-9])AK[Il1]D[0-9A-Za-z]{13,40}(?![A-Za-z0-9])/g, score: 0.98, misread: ['AKlD', 'AK1D'] },
  { prefix: 'ALTAK', re: /(?<![A-Za-z0-9])ALTAK[0-9A-Za-z]{15,40}(?![A-Za-z0-9])/g, score: 0.97 },
  { prefix: 'AKIA', re: /(?<![A-Za-z0-9])AK[Il1]A[0-9A-Z]{16}(?![A-Za-z0-9])/g, score: 0.98, misread: ['AKlA', 'AK1A'] },
  { prefix: 'ASIA', re: /(?<![A-Za-z0-9])ASIA[0-9A-Z]{16}(?![A-Za-z0-9])/g, score: 0.9 },
  { prefix: 'sk-', re: /(?<![A-Za-z0-9_-])sk-(?:ant-[a-z]+\d*-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}(?![A-Za-z0-9_-])/g, score: 0.97 },
  { prefix: 'sk_live_', re: /(?<![A-Za-z0-9])[sr]k_live_[0-9A-Za-z]{20,99}/g, score: 0.97 },
  { prefix: 'gh', re: /(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])/g, score: 0.98 },
  { prefix: 'github_pat_', re: /(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{50,255}/g, score: 0.98 },
  { prefix: 'glpat-', re: /(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}/g, score: 0.98 },
  { prefix: 'xox', re: /(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}/g, score: 0.95 },
  { prefix: 'AIza', re: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, score: 0.95 },
  { prefix: 'eyJ', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, score: 0.97 },
];

/** PEM private keys: detectPem pairs each header with the next footer. */
const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_SCORE = 0.99;
/** Base64 characters a truncated key's body needs before it counts (a header alone holds no secret). */
const PEM_MIN_BODY = 16;

// By first character of the run: the patterns whose prefix starts with it.
const BY_FIRST = new Map<number, RunPattern[]>();
PATTERNS.forEach((p, index) => {
  const rp: RunPattern = { index, prefix: p.prefix, sticky: new RegExp(p.re.source, 'y'), misread: p.misread };
  if (p.prefix === 'sk_live_') rp.alt = 'rk_live_';
  for (const w of rp.alt ? [p.prefix, rp.alt] : [p.prefix]) {
    const c = w.charCodeAt(0);
    let list = BY_FIRST.get(c);
    if (!list) BY_FIRST.set(c, (list = []));
    list.push(rp);
  }
});
const RUN_FIRST = new Uint8Array(128);
for (const c of BY_FIRST.keys()) RUN_FIRST[c] = 1;

/**
 * The fixed-prefix patterns, each as its global scan over the text (gated on its prefix occurring) would
 * find them: every such match starts where an alphanumeric run starts.
 */
function detectPrefixed(text: string, out: RawFinding[], runs: Int32Array, nr: number): void {
  let hits: Array<[number, number, number]> | null = null;
  let lastEnd: number[] | null = null;
  for (let r = 0; r < 2 * nr; r += 2) {
    const p = runs[r];
    const c = text.charCodeAt(p);
    if (c >= 128 || RUN_FIRST[c] === 0) continue;
    for (const rp of BY_FIRST.get(c)!) {
      if (!text.startsWith(rp.prefix, p) && !(rp.alt !== undefined && text.startsWith(rp.alt, p)) && !rp.misread?.some((w) => text.startsWith(w, p))) continue;
      if (lastEnd !== null && p < lastEnd[rp.index]) continue;
      rp.sticky.lastIndex = p;
      const m = rp.sticky.exec(text);
      if (m === null) continue;
      // "rk_live_…" is found only when the text holds "sk_live_" somewhere (the gate of the global scan).
      if (rp.alt !== undefined && text.startsWith(rp.alt, p) && !text.includes(rp.prefix)) continue;
      hits ??= [];
      lastEnd ??= new Array<number>(PATTERNS.length).fill(0);
      hits.push([rp.index, p, p + m[0].length]);
      lastEnd[rp.index] = p + m[0].length;
    }
  }
  if (hits !== null) {
    // Pattern order first, as one global scan per pattern would emit them.
    hits.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [i, start, end] of hits) out.push({ type: 'secret', start, end, score: PATTERNS[i].score, detector: 'secrets' });
  }
  if (text.includes('-----BEGIN')) detectPem(text, out);
}

/**
 * A private key from its header to the next footer — or, when no footer follows (a key pasted in part, or cut off),
 * to the end of the base64 body after the header. One pass over headers and footers, in text order: many headers
 * without a footer cost what one does.
 */
function detectPem(text: string, out: RawFinding[]): void {
  const ends: number[] = [];
  const endsAt: number[] = [];
  PEM_END.lastIndex = 0;
  for (let m = PEM_END.exec(text); m !== null; m = PEM_END.exec(text)) {
    endsAt.push(m.index);
    ends.push(m.index + m[0].length);
  }
  let e = 0;
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(text); m !== null; m = PEM_BEGIN.exec(text)) {
    const headerEnd = m.index + m[0].length;
    while (e < endsAt.length && endsAt[e] < headerEnd) e++;
    let end: number;
    if (e < endsAt.length) end = ends[e++];
    else {
      end = base64BodyEnd(text, headerEnd);
      if (end < 0) continue;
    }
    out.push({ type: 'secret', start: m.index, end, score: PEM_SCORE, detector: 'secrets' });
    PEM_BEGIN.lastIndex = end;
  }
}

/**
 * Where the base64 body after a PEM header ends, or -1 when it holds fewer than PEM_MIN_BODY characters. The body is
 * whole lines of base64, blank lines between them allowed; a key pasted on one line has its line breaks as spaces,
 * so a line may also hold several base64 runs of 16 characters or more. The first word of anything else ends the
 * body, so the words after a cut-off key are not taken in ("…\nThanks for help").
 */
function base64BodyEnd(text: string, from: number): number {
  let chars = 0;
  let last = -1;
  for (let lineStart = from; lineStart < text.length;) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const runs: Array<[number, number]> = [];
    for (let k = lineStart; k < lineEnd;) {
      while (k < lineEnd && isSpace(text.charCodeAt(k))) k++;
      const a = k;
      while (k < lineEnd && !isSpace(text.charCodeAt(k))) k++;
      if (k > a) runs.push([a, k]);
    }
    for (const [a, b] of runs) {
      let base64 = true;
      for (let k = a; k < b && base64; k++) base64 = isBase64(text.charCodeAt(k));
      if (!base64 || (runs.length > 1 && b - a < 16)) return chars >= PEM_MIN_BODY ? last : -1;
      chars += b - a;
      last = b;
    }
    lineStart = lineEnd + 1;
  }
  return chars >= PEM_MIN_BODY ? last : -1;
}

function isBase64(c: number): boolean {
  return isAsciiAlnum(c) || c === 43 || c === 47 || c === 61;
}

// scheme://user:password@host — the secret is the password.
const CONN = /\b[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:/@'"]*:([^\s/'"]+)@[A-Za-z0-9.\-_[\]]+/y;

// What must follow the "://" of a CONN match, whatever the scheme before it.
const CONN_TAIL = /[^\s:/@'"]*:[^\s/'"]+@[A-Za-z0-9.\-_[\]]+/y;

function isSchemeChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 46 || c === 45;
}

/**
 * CONN as a global scan would find it: a match starts 2–21 scheme characters before a "://", inside the run
 * of scheme characters that ends there, so only those starts are tried, in text order.
 */
function detectConnections(text: string, out: RawFinding[]): void {
  let next = 0;
  for (let c = text.indexOf('://'); c >= 0; c = text.indexOf('://', Math.max(c + 1, next))) {
    CONN_TAIL.lastIndex = c + 3;
    if (!CONN_TAIL.test(text)) continue;
    let rs = c;
    while (rs > 0 && c - rs < 21 && isSchemeChar(text.charCodeAt(rs - 1))) rs--;
    for (let p = Math.max(rs, next); p <= c - 2; p++) {
      CONN.lastIndex = p;
      const m = CONN.exec(text);
      if (m === null) continue;
      next = p + m[0].length;
      const pw = m[1];
      if (!pw || PLACEHOLDER_VALUE.test(pw)) break;
      const start = m.index + m[0].lastIndexOf(':' + pw + '@') + 1;
      out.push({ type: 'secret', start, end: start + pw.length, score: 0.95, detector: 'secrets' });
      break;
    }
  }
}

// Key-like names followed by a value. The keyword comes first so the engine can skip quickly; the full
// name ("db_password", "ALIBABA_CLOUD_ACCESS_KEY_SECRET") is recovered by scanning back. Group 1: name, group 2: value.
const LABELLED =
  /((?:password|passwd|passphrase|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|credential|auth|bearer|\bak\b|\bsk\b|密码|口令|密钥|秘钥|私钥|令牌|授权码|访问密钥)[A-Za-z0-9_]*)(?:["']?\s*(?:[:=：]|是|为|:=|=>)\s*|\s+(?=[A-Za-z0-9!@#$%^&*]{0,40}[0-9!@#$%^&*])(?=[A-Za-z0-9!@#$%^&*]{6,}))["'“‘]?([^\s"'“”‘’，。；、）)<>,;&]+)/iy;

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
}

const PLACEHOLDER_VALUE =
  /^(?:\*+|x+|X+|\.+|-+|null|none|nil|undefined|true|false|required|optional|string|password|secret|token|yourpassword|your_password|changeme|example|\$\{.*|\{\{.*|<.*|%.*%|\$[A-Z_]+|os\.|process\.|env\b.*|getenv.*|config\..*|self\..*)$/i;

const PASSWORDISH = /(?:password|passwd|passphrase|pwd|(?:^|[_.-])pass(?:$|[_.-])|密码|口令)/i;

function looksLikeCode(value: string): boolean {
  return /[([{]/.test(value) || /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(value);
}

function isHighEntropyToken(value: string): boolean {
  if (value.length < 16) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  return shannonEntropy(value) >= 3.2;
}

/**
 * Group-chat robot webhooks: the URL is the credential (anyone who holds it posts to the group). Feishu/Lark, WeCom,
 * DingTalk, Slack, Discord; the token part is the secret.
 */
const WEBHOOK = new RegExp([
  '(?:open\\.feishu\\.cn|open\\.larksuite\\.com)/open-apis/bot/v2/hook/([0-9A-Za-z-]{16,})',
  'qyapi\\.weixin\\.qq\\.com/cgi-bin/webhook/send\\?key=([0-9A-Za-z-]{16,})',
  'oapi\\.dingtalk\\.com/robot/send\\?access_token=([0-9A-Za-z]{16,})',
  'hooks\\.slack\\.com/services/(T[0-9A-Za-z]+/B[0-9A-Za-z]+/[0-9A-Za-z]{16,})',
  'discord(?:app)?\\.com/api/webhooks/(\\d+/[0-9A-Za-z_-]{30,})',
].join('|'), 'g');

/**
 * Passwords on a command line: `mysql -uroot -pS3cret` (the value glued to -p; `-p` alone prompts, `-P` is a port),
 * `sshpass -p S3cret`, `redis-cli -a S3cret`, `curl -u user:S3cret`.
 */
const COMMAND_PASSWORD = new RegExp([
  '\\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\\b[^\\n|;&]{0,200}?\\s-p([^\\s\'"]{1,128}|\'[^\'\\n]{1,128}\'|"[^"\\n]{1,128}")',
  '\\bsshpass\\s+-p\\s*([^\\s\'"]{1,128}|\'[^\'\\n]{1,128}\'|"[^"\\n]{1,128}")',
  '\\bredis-cli\\b[^\\n|;&]{0,200}?\\s-a\\s+([^\\s\'"-][^\\s\'"]{0,127}|\'[^\'\\n]{1,128}\'|"[^"\\n]{1,128}")',
  '\\bcurl\\b[^\\n|;&]{0,200}?\\s(?:-u|--user)\\s*[\'"]?[^\\s:\'"]+:([^\\s\'"@]{1,128})',
].join('|'), 'g');
const COMMAND_HINT = /mysql|mariadb|sshpass|redis-cli|curl/;

/**
 * The credential of an HTTP Authorization header, as request dumps, curl commands and API-client exports carry it:
 * `Authorization: Basic YWRtaW46cGFzc3dvcmQ=` (user:password in base64 — it must decode to text with a colon),
 * `Bearer …`, `Token …`, `Bot …` (whatever follows the scheme is the credential, when it is 16 characters or more:
 * tests and docs write `Bearer token123`, `Bearer my-token`). The label rules above read `Basic` as the value and passed
 * it over.
 */
const AUTH_HEADER = /\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(basic|bearer|token|bot)\s+([A-Za-z0-9._~+/=-]{8,})/gi;
const AUTH_HINT = /uthorization|UTHORIZATION/;

function detectAuthHeaders(text: string, out: RawFinding[]): void {
  AUTH_HEADER.lastIndex = 0;
  for (let m = AUTH_HEADER.exec(text); m !== null; m = AUTH_HEADER.exec(text)) {
    const value = m[2];
    if (PLACEHOLDER_VALUE.test(value)) continue;
    if (m[1].toLowerCase() === 'basic' ? !Buffer.from(value, 'base64').toString('latin1').includes(':') : value.length < 16) continue;
    const start = m.index + m[0].length - value.length;
    out.push({ type: 'secret', start, end: start + value.length, score: 0.95, detector: 'secrets.auth-header' });
  }
}

/**
 * Cookies in a request or response dump (`Cookie: JSESSIONID=8F3A…`, `Set-Cookie: session_id=…`): a session cookie is a
 * live login. Each value of the header line of 16 characters or more that mixes letters and digits is a secret;
 * attributes (Path, Domain, Expires, Max-Age, SameSite) are not values.
 */
const COOKIE_LINE = /\b(?:set-)?cookie["']?\s*:\s*([^\r\n]{1,16384})/gi;
const COOKIE_PAIR = /([^=;,\s]{1,128})=([^;,\s]{16,})/g;
const COOKIE_ATTRIBUTE = /^(?:path|domain|expires|max-age|samesite)$/i;
const COOKIE_HINT = /ookie|OOKIE/;

function detectCookies(text: string, out: RawFinding[]): void {
  COOKIE_LINE.lastIndex = 0;
  for (let line = COOKIE_LINE.exec(text); line !== null; line = COOKIE_LINE.exec(text)) {
    const at = line.index + line[0].length - line[1].length;
    COOKIE_PAIR.lastIndex = 0;
    for (let m = COOKIE_PAIR.exec(line[1]); m !== null; m = COOKIE_PAIR.exec(line[1])) {
      const value = m[2].replace(/^"|"$/g, '');
      if (COOKIE_ATTRIBUTE.test(m[1]) || !/[0-9]/.test(value) || !/[A-Za-z]/.test(value) || PLACEHOLDER_VALUE.test(value)) continue;
      const start = at + m.index + m[0].length - m[2].length + (m[2].startsWith('"') ? 1 : 0);
      out.push({ type: 'secret', start, end: start + value.length, score: 0.9, detector: 'secrets.cookie' });
    }
  }
}

/** Each capture group of `re` that matched, as a secret (quotes around a value are no part of it). */
function detectGroups(text: string, out: RawFinding[], re: RegExp, score: number, detector: string): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    for (let g = 1; g < m.length; g++) {
      let value = m[g];
      if (value === undefined) continue;
      let start = m.index + m[0].length - value.length;
      if (/^(['"]).*\1$/.test(value)) { value = value.slice(1, -1); start++; }
      if (!PLACEHOLDER_VALUE.test(value)) out.push({ type: 'secret', start, end: start + value.length, score, detector });
    }
  }
}

/**
 * `runs`, `nr`: alphanumeric runs of the text; `labelStarts`: ascending positions where a LABELLED keyword
 * may start (both from tokens.ts).
 */
export function detectSecrets(
  text: string, out: RawFinding[], runs: Int32Array, nr: number, labelStarts: readonly number[],
): void {
  detectPrefixed(text, out, runs, nr);
  detectConnections(text, out);
  if (text.includes('hook') || text.includes('robot/send')) detectGroups(text, out, WEBHOOK, 0.97, 'secrets.webhook');
  if (COMMAND_HINT.test(text)) detectGroups(text, out, COMMAND_PASSWORD, 0.9, 'secrets.command');
  if (AUTH_HINT.test(text)) detectAuthHeaders(text, out);
  if (COOKIE_HINT.test(text)) detectCookies(text, out);
  let next = 0;
  for (const p of labelStarts) {
    if (p < next) continue;
    LABELLED.lastIndex = p;
    const m = LABELLED.exec(text);
    if (m === null) continue;
    next = p + m[0].length;
    let ns = m.index;
    while (ns > 0 && isIdentChar(text.charCodeAt(ns - 1))) ns--;
    const name = text.slice(ns, m.index) + m[1];
    let value = m[2];
    // Trailing sentence punctuation is not part of the value.
    value = value.replace(/[.?:]+$/, '');
    if (!value || PLACEHOLDER_VALUE.test(value) || /[\u4e00-\u9fff]/.test(value)) continue;
    const start = m.index + m[0].length - m[2].length;
    const passwordish = PASSWORDISH.test(name);
    if (passwordish) {
      if (value.length < 4 || looksLikeCode(value)) continue;
      // "password: 8 characters" — a bare small number is a length, not a password, unless labelled in Chinese.
      if (/^\d{1,2}$/.test(value)) continue;
    } else if (!isHighEntropyToken(value) && !(/^(?:ak|sk)\b/i.test(name) && /^[A-Za-z0-9]{16,}$/.test(value))) {
      continue;
    }
    out.push({ type: 'secret', start, end: start + value.length, score: passwordish ? 0.9 : 0.85, detector: 'secrets' });
  }
}
