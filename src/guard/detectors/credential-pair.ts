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
 */
const KEY_ID = /^(?:LTAI|AKID|ALTAK|AKIA|ASIA)/;
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
