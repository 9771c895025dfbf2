import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';

/**
 * Encryption at rest with national algorithms: SM4-CTR under a key derived from the master key,
 * authenticated with HMAC-SM3 over version|iv|ciphertext (encrypt-then-MAC). Node's OpenSSL has no
 * SM4-GCM, hence the separate tag. Format: `sm4ctr.v1.<base64 iv|ciphertext|tag>`.
 */
export interface SecretBox {
  encrypt(plaintext: string): string;
  /** Throws when the text was altered or was sealed under another master key. */
  decrypt(sealed: string): string;
}

const PREFIX = 'sm4ctr.v1.';
const IV_LEN = 16;
const TAG_LEN = 32;

function derive(master: Buffer, label: string, len: number): Buffer {
  return createHash('sm3').update(label).update(master).digest().subarray(0, len);
}

export function createSecretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length < 16) throw new Error('master key: expected at least 16 bytes');
  const encKey = derive(masterKey, 'yumen/sm4-ctr/enc', 16);
  const macKey = derive(masterKey, 'yumen/hmac-sm3/mac', 32);
  const tag = (iv: Buffer, ct: Buffer) => createHmac('sm3', macKey).update(PREFIX).update(iv).update(ct).digest();
  return {
    encrypt(plaintext) {
      const iv = randomBytes(IV_LEN);
      const cipher = createCipheriv('sm4-ctr', encKey, iv);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, ct, tag(iv, ct)]).toString('base64');
    },
    decrypt(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new Error('secret box: unknown format');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
      if (raw.length < IV_LEN + TAG_LEN) throw new Error('secret box: truncated');
      const iv = raw.subarray(0, IV_LEN);
      const ct = raw.subarray(IV_LEN, raw.length - TAG_LEN);
      const got = raw.subarray(raw.length - TAG_LEN);
      if (!timingSafeEqual(got, tag(iv, ct))) throw new Error('secret box: integrity check failed (tampered, or another master key)');
      const decipher = createDecipheriv('sm4-ctr', encKey, iv);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    },
  };
}

/** Reads a master key given as 64 hex digits or as base64/text of at least 32 characters; hashed with SM3 to 32 bytes. */
export function parseMasterKey(text: string, source: string): Buffer {
  const t = text.trim();
  if (t.length < 32) throw new Error(`${source}: the master key must be at least 32 characters (e.g. 64 hex digits from \`openssl rand -hex 32\`)`);
  const bytes = /^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0 ? Buffer.from(t, 'hex') : Buffer.from(t, 'utf8');
  return createHash('sm3').update(bytes).digest();
}

/**
 * The master key: `YUMEN_MASTER_KEY` when set, else `<dataDir>/master.key`, created with mode 0600 on first
 * use. A key file readable by group or others is refused rather than trusted.
 */
export function loadMasterKey(opts: { dataDir: string; env?: NodeJS.ProcessEnv }): { key: Buffer; source: string } {
  const env = opts.env ?? process.env;
  if (env.YUMEN_MASTER_KEY) return { key: parseMasterKey(env.YUMEN_MASTER_KEY, 'YUMEN_MASTER_KEY'), source: 'YUMEN_MASTER_KEY' };
  const file = join(opts.dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(opts.dataDir, { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    chmodSync(file, 0o600);
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new Error(`${file}: the master key file must be readable by its owner only (chmod 600)`);
  }
  return { key: parseMasterKey(readFileSync(file, 'utf8'), file), source: file };
}

/** A SecretBox that reads the master key on first use, so a server without stored secrets never creates master.key. */
export function lazySecretBox(loadKey: () => Buffer): SecretBox {
  let box: SecretBox | undefined;
  const get = () => (box ??= createSecretBox(loadKey()));
  return { encrypt: (p) => get().encrypt(p), decrypt: (s) => get().decrypt(s) };
}
