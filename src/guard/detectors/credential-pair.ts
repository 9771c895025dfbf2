import type { RawFinding } from '../types.ts';
import { shannonEntropy } from '../validators.ts';

/**
 * The secret half of a cloud credential, which has no prefix of its own: the AccessKey Secret beside its
 * `LTAI…` id in `oss2.Auth('LTAI…', '…')`, Tencent `Credential('AKID…', '…')`, Baidu
 * `BceCredentials('ALTAK…', '…')`, AWS `Session('AKIA…', '…')`, and secrets a few lines after a key id
 * (`accessKeySecret = '…'` under `accessKeyId = 'LTAI…'`). Evidence is context and entropy:
 * - the next argument of the same call, right after the key id: a 16–100 character token of a secret's
 *   alphabet with entropy ≥ 3.0 bits per character;
 * - a quoted or assigned value within the next 240 characters: 24–64 characters, entropy ≥ 3.5, letters
 *   and digits mixed, not a UUID and not all hexadecimal (hashes and digests look like that).
 * Labelled secrets (`SecretKey: …`) are found by secrets.ts already; this adds the unlabelled ones.
 * Huawei Cloud keys have no prefix at all (a 20-character AK, a 40-character SK): see detectHuaweiPairs.
 */
const KEY_ID = /^(?:LTA[Il1]|AK[Il1]D|ALTAK|AK[Il1]A|ASIA)/;
const NEXT_ARG = /^["'`]?\s*,\s*(?:[A-Za-z_][A-Za-z0-9_]*\s*=\s*)?["'`]([A-Za-z0-9/+=_-]{16,100})["'`]/;
const NEARBY = /["'`]([A-Za-z0-9/+=_-]{24,64})["'`]|[=:]\s*([A-Za-z0-9/+=_-]{24,64})(?![A-Za-z0-9/+=_-])/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-fA-F]+$/;

function mixed(v: string): boolean {
  return /[0-9]/.test(v) && /[A-Za-z]/.test(v);
}

function push(out: RawFinding[], start: number, end: number, score: number): void {
  out.push({ type: 'secret', start, end, score, detector: 'secrets.pair' });
}

/** Looks beside the key ids among out[from, …) (the findings of secrets.ts). */
export function detectCredentialPairs(text: string, out: RawFinding[], from: number): void {
  const to = out.length;
  for (let k = from; k < to; k++) {
    const id = out[k];
    if (id.type !== 'secret' || id.detector !== 'secrets' || !KEY_ID.test(text.slice(id.start, id.start + 5))) continue;
    const after = text.slice(id.end, id.end + 240);
    const arg = NEXT_ARG.exec(after);
    if (arg !== null && shannonEntropy(arg[1]) >= 3.0 && arg[1] !== text.slice(id.start, id.end)) {
      const start = id.end + arg.index + arg[0].length - arg[1].length - 1;
      push(out, start, start + arg[1].length, 0.9);
      continue;
    }
    NEARBY.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = NEARBY.exec(after)) !== null) {
      const v = m[1] ?? m[2];
      if (UUID.test(v) || HEX.test(v) || !mixed(v) || shannonEntropy(v) < 3.5 || KEY_ID.test(v)) continue;
      const start = id.end + m.index + m[0].lastIndexOf(v);
      push(out, start, start + v.length, 0.85);
      break;
    }
  }
}

/**
 * Huawei Cloud AK/SK pairs. Neither half has a prefix, so only the credential shape of the code is evidence:
 * `BasicCredentials("AK", "SK", …)` / `GlobalCredentials(ak="AK", sk="SK")`, the builders'
 * `.withAk("AK").withSk("SK")` (Java, Go `WithAk`, Python `with_ak`), and `ak = "AK"` followed within a few lines
 * by `sk = "SK"` (also HUAWEICLOUD_SDK_AK/SK). The AK is 20 upper-case letters and digits, mixed; the SK 40
 * letters and digits, mixed, not hexadecimal, entropy ≥ 3.5. Both halves are reported.
 */
const HUAWEI_SHAPES: ReadonlyArray<{ re: RegExp; score: number }> = [
  { re: /(?:Basic|Global)Credentials\s*\(\s*(?:ak\s*=\s*)?(["'`])([A-Z0-9]{20})\1\s*,\s*(?:sk\s*=\s*)?(["'`])([A-Za-z0-9]{40})\3/g, score: 0.9 },
  { re: /[Ww]ith_?[Aa]k\s*\(\s*(["'`])([A-Z0-9]{20})\1\s*\)[^;]{0,80}?[Ww]ith_?[Ss]k\s*\(\s*(["'`])([A-Za-z0-9]{40})\3/g, score: 0.9 },
  // Quoted in code, bare in an environment file (HUAWEICLOUD_SDK_AK=…).
  { re: /\b(?:HUAWEICLOUD_SDK_AK|[Aa][Kk])\s*[=:]\s*(["'`]?)([A-Z0-9]{20})\1(?![A-Za-z0-9])[^]{0,200}?\b(?:HUAWEICLOUD_SDK_SK|[Ss][Kk])\s*[=:]\s*(["'`]?)([A-Za-z0-9]{40})\3(?![A-Za-z0-9])/g, score: 0.85 },
];
/**
 * `runs`/`runCount`: the scan's alphanumeric runs (tokens.ts). Only text with a run of an AK's length is
 * searched, so prose and ordinary code cost one pass over runs already found.
 */
export function detectHuaweiPairs(text: string, out: RawFinding[], runs: Int32Array, runCount: number): void {
  let candidate = false;
  for (let r = 0; r < runCount * 2 && !candidate; r += 2) candidate = runs[r + 1] - runs[r] === 20;
  if (!candidate) return;
  for (const { re, score } of HUAWEI_SHAPES) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const ak = m[2];
      const sk = m[4];
      if (!mixed(ak) || !mixed(sk) || HEX.test(sk) || shannonEntropy(sk) < 3.5) continue;
      const akStart = m.index + m[0].indexOf(m[1] + ak + m[1]) + m[1].length;
      const skStart = m.index + m[0].lastIndexOf(m[3] + sk + m[3]) + m[3].length;
      push(out, akStart, akStart + ak.length, score);
      push(out, skStart, skStart + sk.length, score);
    }
  }
}
