import { generateKeyPairSync, hash, randomBytes } from 'node:crypto';

/**
 * SM2 digital signatures (GB/T 32918.2, the recommended curve of GB/T 32918.5) over SM3. Node's OpenSSL
 * knows the SM2 curve and SM3 and makes and reads the keys, but its sign() on an SM2 key is ECDSA and it
 * cannot set the signer's distinguishing identifier, so the signature scheme itself is computed here with
 * bigint arithmetic. Not constant-time: it signs audit anchors a few times an hour, never attacker-timed input.
 */
const P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFFn;
const A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFCn;
const B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93n;
const N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123n;
const GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7n;
const GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0n;
/** The default signer identifier of GB/T 35276 (and OpenSSL). */
export const SM2_DEFAULT_ID = '1234567812345678';
/** SubjectPublicKeyInfo header for an uncompressed point on the SM2 curve (id-ecPublicKey, sm2p256v1). */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

type Jacobian = [bigint, bigint, bigint];
export interface Sm2Point { x: bigint; y: bigint }

const mod = (a: bigint, m: bigint) => { const r = a % m; return r < 0n ? r + m : r; };
function inv(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

function double([x, y, z]: Jacobian): Jacobian {
  if (y === 0n || z === 0n) return [0n, 1n, 0n];
  const yy = (y * y) % P;
  const s = (4n * x * yy) % P;
  const zz = (z * z) % P;
  const m = mod(3n * x * x + A * zz * zz, P);
  const x3 = mod(m * m - 2n * s, P);
  return [x3, mod(m * (s - x3) - 8n * yy * yy, P), (2n * y * z) % P];
}

function add(p: Jacobian, q: Jacobian): Jacobian {
  if (p[2] === 0n) return q;
  if (q[2] === 0n) return p;
  const z1z1 = (p[2] * p[2]) % P;
  const z2z2 = (q[2] * q[2]) % P;
  const u1 = (p[0] * z2z2) % P;
  const u2 = (q[0] * z1z1) % P;
  const s1 = (p[1] * q[2] * z2z2) % P;
  const s2 = (q[1] * p[2] * z1z1) % P;
  if (u1 === u2) return s1 === s2 ? double(p) : [0n, 1n, 0n];
  const h = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  const hh = (h * h) % P;
  const hhh = (h * hh) % P;
  const x3 = mod(r * r - hhh - 2n * u1 * hh, P);
  return [x3, mod(r * (u1 * hh - x3) - s1 * hhh, P), (p[2] * q[2] * h) % P];
}

function multiply(k: bigint, point: Sm2Point): Jacobian {
  let acc: Jacobian = [0n, 1n, 0n];
  let base: Jacobian = [point.x, point.y, 1n];
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) acc = add(acc, base);
    base = double(base);
  }
  return acc;
}

function toAffine([x, y, z]: Jacobian): Sm2Point | null {
  if (z === 0n) return null;
  const zi = inv(z, P);
  const zi2 = (zi * zi) % P;
  return { x: (x * zi2) % P, y: (y * zi2 * zi) % P };
}

const hex32 = (n: bigint) => n.toString(16).padStart(64, '0');
const G: Sm2Point = { x: GX, y: GY };

function onCurve({ x, y }: Sm2Point): boolean {
  return x >= 0n && x < P && y >= 0n && y < P && mod(y * y - (x * x * x + A * x + B), P) === 0n;
}

/** e = SM3(Z_A ‖ M) with Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 §5.5, §6.1). */
function digest(message: Uint8Array, pub: Sm2Point, id: string): bigint {
  const idBytes = Buffer.from(id, 'utf8');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(idBytes.length * 8);
  const za = hash('sm3', Buffer.concat([entl, idBytes, ...[A, B, GX, GY, pub.x, pub.y].map((v) => Buffer.from(hex32(v), 'hex'))]), 'buffer');
  return BigInt(`0x${hash('sm3', Buffer.concat([za, message]), 'hex')}`);
}

/** Signs with private key d; returns r ‖ s as 128 hex digits. `k` is for the standard's test vector only. */
export function sm2Sign(message: Uint8Array, d: bigint, opts: { id?: string; k?: bigint } = {}): string {
  const pub = sm2PublicPoint(d);
  const e = digest(message, pub, opts.id ?? SM2_DEFAULT_ID);
  for (;;) {
    const k = opts.k ?? (BigInt(`0x${randomBytes(32).toString('hex')}`) % (N - 1n)) + 1n;
    const x1 = toAffine(multiply(k, G))!.x;
    const r = mod(e + x1, N);
    if (r === 0n || r + k === N) continue;
    const s = mod(inv(1n + d, N) * (k - r * d), N);
    if (s === 0n) continue;
    return hex32(r) + hex32(s);
  }
}

/** Checks an r ‖ s signature (128 hex digits) against public key `pub`. */
export function sm2Verify(message: Uint8Array, signature: string, pub: Sm2Point, opts: { id?: string } = {}): boolean {
  if (!/^[0-9a-fA-F]{128}$/.test(signature) || !onCurve(pub)) return false;
  const r = BigInt(`0x${signature.slice(0, 64)}`);
  const s = BigInt(`0x${signature.slice(64)}`);
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const point = toAffine(add(multiply(s, G), multiply(t, pub)));
  if (!point) return false;
  return mod(digest(message, pub, opts.id ?? SM2_DEFAULT_ID) + point.x, N) === r;
}

export interface Sm2KeyPair { privateKeyPem: string; publicKeyPem: string }

/** A new key pair from OpenSSL's generator: SEC1 private key PEM and SubjectPublicKeyInfo public key PEM. */
export function generateSm2KeyPair(): Sm2KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  return {
    privateKeyPem: privateKey.export({ type: 'sec1', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/** The DER inside a PEM block (Node's own parser aborts the process when re-exporting a parsed SM2 key). */
function pemBody(pem: string, what: string): Buffer {
  const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error(`not a PEM ${what}`);
  return Buffer.from(m[2].replace(/\s+/g, ''), 'base64');
}

/** The public point of a SubjectPublicKeyInfo PEM on the SM2 curve. */
export function readSm2PublicKey(pem: string): Sm2Point {
  const der = pemBody(pem, 'public key');
  if (der.length !== SPKI_PREFIX.length + 65 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) throw new Error('not an SM2 public key (expected SubjectPublicKeyInfo of an uncompressed point on sm2p256v1)');
  const raw = der.subarray(SPKI_PREFIX.length);
  const point = { x: BigInt(`0x${raw.subarray(1, 33).toString('hex')}`), y: BigInt(`0x${raw.subarray(33).toString('hex')}`) };
  if (raw[0] !== 4 || !onCurve(point)) throw new Error('not an SM2 public key (the point is not on the curve)');
  return point;
}

/** The private scalar of a SEC1 (EC PRIVATE KEY) or PKCS#8 PEM on the SM2 curve. */
export function readSm2PrivateKey(pem: string): bigint {
  const der = pemBody(pem, 'private key');
  // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING (32), [0] sm2p256v1, … } — inside PKCS#8 too.
  const at = der.indexOf(Buffer.from([0x02, 0x01, 0x01, 0x04, 0x20]));
  if (at < 0 || !der.includes(Buffer.from('2a811ccf5501822d', 'hex'))) throw new Error('not an SM2 private key');
  const d = BigInt(`0x${der.subarray(at + 5, at + 37).toString('hex')}`);
  if (d < 1n || d >= N - 1n) throw new Error('not an SM2 private key (scalar out of range)');
  return d;
}

/** The public key of private scalar d. */
export function sm2PublicPoint(d: bigint): Sm2Point {
  return toAffine(multiply(d, G))!;
}

/** A SubjectPublicKeyInfo PEM from raw coordinates (for published test vectors). */
export function sm2PublicKeyPem(point: Sm2Point): string {
  const b64 = Buffer.concat([SPKI_PREFIX, Buffer.from(`04${hex32(point.x)}${hex32(point.y)}`, 'hex')]).toString('base64');
  return `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
}
