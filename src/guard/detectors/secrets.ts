import type { RawFinding } from '../types.ts';
import { shannonEntropy } from '../validators.ts';

/**
 * Credentials: cloud access keys, API tokens, JWTs, PEM private keys, passwords in connection strings and
 * after password labels, and high-entropy values beside key-like names. Each fixed-prefix pattern runs
 * only when its prefix occurs in the text.
 */
interface Pattern {
  prefix: string;
  re: RegExp;
  score: number;
}

const PATTERNS: Pattern[] = [
  { prefix: 'LTAI', re: /(?<![A-Za-z0-9])LTAI[0-9A-Za-z]{12,28}(?![A-Za-z0-9])/g, score: 0.98 },
  { prefix: 'AKID', re: /(?<![A-Za-z0-9])AKID[0-9A-Za-z]{13,40}(?![A-Za-z0-9])/g, score: 0.98 },
  { prefix: 'ALTAK', re: /(?<![A-Za-z0-9])ALTAK[0-9A-Za-z]{15,40}(?![A-Za-z0-9])/g, score: 0.97 },
  { prefix: 'AKIA', re: /(?<![A-Za-z0-9])AKIA[0-9A-Z]{16}(?![A-Za-z0-9])/g, score: 0.98 },
  { prefix: 'ASIA', re: /(?<![A-Za-z0-9])ASIA[0-9A-Z]{16}(?![A-Za-z0-9])/g, score: 0.9 },
  { prefix: 'sk-', re: /(?<![A-Za-z0-9_-])sk-(?:ant-[a-z]+\d*-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}(?![A-Za-z0-9_-])/g, score: 0.97 },
  { prefix: 'sk_live_', re: /(?<![A-Za-z0-9])[sr]k_live_[0-9A-Za-z]{20,99}/g, score: 0.97 },
  { prefix: 'gh', re: /(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])/g, score: 0.98 },
  { prefix: 'github_pat_', re: /(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{50,255}/g, score: 0.98 },
  { prefix: 'glpat-', re: /(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}/g, score: 0.98 },
  { prefix: 'xox', re: /(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}/g, score: 0.95 },
  { prefix: 'AIza', re: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, score: 0.95 },
  { prefix: 'eyJ', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, score: 0.97 },
  {
    prefix: '-----BEGIN',
    re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
    score: 0.99,
  },
];

// scheme://user:password@host — the secret is the password.
const CONN = /\b[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:/@'"]*:([^\s/'"]+)@[A-Za-z0-9.\-_[\]]+/g;

// Key-like names followed by a value. The keyword comes first so the engine can skip quickly; the full
// name ("db_password", "ALIBABA_CLOUD_ACCESS_KEY_SECRET") is recovered by scanning back. Group 1: name, group 2: value.
const LABELLED =
  /((?:password|passwd|passphrase|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|credential|auth|bearer|\bak\b|\bsk\b|密码|口令|密钥|秘钥|私钥|令牌|授权码|访问密钥)[A-Za-z0-9_]*)(?:["']?\s*(?:[:=：]|是|为|:=|=>)\s*|\s+(?=[A-Za-z0-9!@#$%^&*]{0,40}[0-9!@#$%^&*])(?=[A-Za-z0-9!@#$%^&*]{6,}))["'“‘]?([^\s"'“”‘’，。；、）)<>,;&]+)/gi;

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

export function detectSecrets(text: string, out: RawFinding[]): void {
  for (const p of PATTERNS) {
    if (!text.includes(p.prefix)) continue;
    p.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = p.re.exec(text)) !== null) {
      out.push({ type: 'secret', start: m.index, end: m.index + m[0].length, score: p.score, detector: 'secrets' });
    }
  }
  if (text.includes('://')) {
    CONN.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = CONN.exec(text)) !== null) {
      const pw = m[1];
      if (!pw || PLACEHOLDER_VALUE.test(pw)) continue;
      const start = m.index + m[0].lastIndexOf(':' + pw + '@') + 1;
      out.push({ type: 'secret', start, end: start + pw.length, score: 0.95, detector: 'secrets' });
    }
  }
  LABELLED.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = LABELLED.exec(text)) !== null) {
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
