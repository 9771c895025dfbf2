import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalJson } from '../util/canonical-json.ts';
import type { AnchorEntry } from './anchor.ts';
import { generateSm2KeyPair, readSm2PrivateKey, readSm2PublicKey, sm2PublicPoint, sm2Sign, sm2Verify, type Sm2Point } from './sm2.ts';

/** What an anchor's SM2 signature covers: the canonical JSON of its chain, hash, seq and time. */
export function anchorMessage(e: Pick<AnchorEntry, 'chain' | 'hash' | 'seq' | 'time'>): Buffer {
  return Buffer.from(canonicalJson({ chain: e.chain ?? null, hash: e.hash, seq: e.seq, time: e.time }), 'utf8');
}

export interface AnchorSigner {
  sign(e: Pick<AnchorEntry, 'chain' | 'hash' | 'seq' | 'time'>): string;
  publicKeyPem: string;
}

/** The public key file written beside a private key file. */
export function publicKeyFileOf(keyFile: string): string {
  return keyFile.replace(/(\.pem)?$/, '.pub.pem');
}

/**
 * The installation's SM2 anchor key: read from `keyFile`, or made on first use (private key mode 0600,
 * its public key beside it as `<name>.pub.pem`, which the auditor copies off the host once).
 */
export function loadOrCreateAnchorSigner(keyFile: string): AnchorSigner {
  if (!existsSync(keyFile)) {
    const pair = generateSm2KeyPair();
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
    writeFileSync(publicKeyFileOf(keyFile), pair.publicKeyPem, { mode: 0o644 });
  }
  const pem = readFileSync(keyFile, 'utf8');
  try { chmodSync(keyFile, 0o600); } catch { /* read-only media */ }
  const d = readSm2PrivateKey(pem);
  const pub = sm2PublicPoint(d);
  const publicKeyPem = existsSync(publicKeyFileOf(keyFile)) ? readFileSync(publicKeyFileOf(keyFile), 'utf8') : '';
  return { sign: (e) => sm2Sign(anchorMessage(e), d), publicKeyPem };
}

/** The first anchor whose signature does not verify under `publicKeyPem` (missing counts as invalid), or null. */
export function firstBadSignature(anchors: readonly AnchorEntry[], publicKeyPem: string): AnchorEntry | null {
  const pub: Sm2Point = readSm2PublicKey(publicKeyPem);
  return anchors.find((a) => !a.sig || !sm2Verify(anchorMessage(a), a.sig, pub)) ?? null;
}
