import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { yumenError } from '../util/errors.ts';

/** scrypt cost: N = 2^15, r = 8 (32 MiB, ~130 ms on a 2-core server). Stored with each hash so it can be raised later. */
export const DEFAULT_SCRYPT_N = 32_768;
const R = 8;
const P = 1;
const KEY_LEN = 32;

function scryptAsync(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
export async function hashPassword(password: string, n = DEFAULT_SCRYPT_N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFC'), salt, KEY_LEN, { N: n, r: R, p: P, maxmem: 256 * n * R });
  return `scrypt$${n}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time check of a password against a stored hash; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (!(n > 1 && r > 0 && p > 0) || n > 1_048_576) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  const key = await scryptAsync(password.normalize('NFC'), salt, expected.length, { N: n, r, p, maxmem: 256 * n * r + 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash of a random password, verified against when the account does not exist, so both paths cost the same. */
export function dummyHash(n = DEFAULT_SCRYPT_N): Promise<string> {
  return hashPassword(randomBytes(16).toString('hex'), n);
}

/**
 * Minimum strength for local accounts: 8+ characters from at least two of lower case, upper case,
 * digits and symbols. Throws YumenError naming `field`.
 */
export function checkPasswordStrength(password: string, field = 'password'): void {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (password.length < 8 || classes < 2) {
    throw yumenError('invalid_request', `${field}: use at least 8 characters mixing letters, digits or symbols. / 密码至少 8 位，且包含字母、数字或符号中的两类。`, { param: field });
  }
}
