import { createHash, createHmac } from 'node:crypto';

/**
 * Keyed digests that link a personal value across stored texts without storing it: the conversation store
 * keeps, per placeholder, HMAC-SM3(key, value); feedback on the exchange digests the values of its
 * correction the same way and reuses the placeholder of an equal one. Without the key (derived from the
 * master key) a digest cannot be tested against guesses.
 */
export type LinkKey = () => Buffer;

/** The link key from the master key, under a label of its own. */
export function linkKeyFrom(masterKey: () => Buffer): LinkKey {
  let key: Buffer | undefined;
  return () => (key ??= createHash('sm3').update('yumen/flywheel/value-links').update(masterKey()).digest());
}

export function valueDigest(key: Buffer, value: string): string {
  return createHmac('sm3', key).update(value, 'utf8').digest('hex').slice(0, 32);
}
