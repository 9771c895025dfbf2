import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileIpAllowList, createSecretBox, hashPassword, ipEntryProblem, loadMasterKey, parseMasterKey, verifyPassword, checkPasswordStrength } from '../../src/governance/index.ts';

describe('SM4 secret box', () => {
  const box = createSecretBox(parseMasterKey('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'test'));

  it('round-trips text, with a fresh IV each time', () => {
    const a = box.encrypt('sk-上游密钥-123');
    const b = box.encrypt('sk-上游密钥-123');
    assert.notEqual(a, b);
    assert.equal(box.decrypt(a), 'sk-上游密钥-123');
    assert.equal(box.decrypt(box.encrypt('')), '');
  });

  it('detects any flipped bit and a foreign master key', () => {
    const sealed = box.encrypt('secret');
    const raw = Buffer.from(sealed.slice('sm4ctr.v1.'.length), 'base64');
    for (const i of [0, 16, raw.length - 1]) {
      const t = Buffer.from(raw);
      t[i] ^= 1;
      assert.throws(() => box.decrypt(`sm4ctr.v1.${t.toString('base64')}`), /integrity/);
    }
    const other = createSecretBox(parseMasterKey('another-master-key-that-is-long-enough!!', 'test'));
    assert.throws(() => other.decrypt(sealed), /integrity/);
    assert.throws(() => box.decrypt('plain'), /format/);
  });

  it('creates master.key 0600 once, and refuses a key file others can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yumen-mk-'));
    try {
      const first = loadMasterKey({ dataDir: dir, env: {} });
      assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
      assert.deepEqual(loadMasterKey({ dataDir: dir, env: {} }).key, first.key);
      assert.match(readFileSync(join(dir, 'master.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
      chmodSync(join(dir, 'master.key'), 0o644);
      assert.throws(() => loadMasterKey({ dataDir: dir, env: {} }), /chmod 600/);
      const fromEnv = loadMasterKey({ dataDir: dir, env: { YUMEN_MASTER_KEY: 'x'.repeat(40) } });
      assert.equal(fromEnv.source, 'YUMEN_MASTER_KEY');
      assert.throws(() => loadMasterKey({ dataDir: dir, env: { YUMEN_MASTER_KEY: 'short' } }), /at least 32/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('passwords', () => {
  it('hashes with scrypt and verifies in constant time', async () => {
    const h = await hashPassword('Correct-Horse-9', 1024);
    assert.match(h, /^scrypt\$1024\$8\$1\$/);
    assert.equal(await verifyPassword('Correct-Horse-9', h), true);
    assert.equal(await verifyPassword('correct-horse-9', h), false);
    assert.equal(await verifyPassword('x', 'garbage'), false);
  });
  it('refuses weak passwords naming the field', () => {
    assert.throws(() => checkPasswordStrength('short1', 'new_password'), (e: any) => e.param === 'new_password');
    assert.throws(() => checkPasswordStrength('alllowercase'));
    checkPasswordStrength('lower-and-1');
  });
});

describe('IP allow-lists', () => {
  it('matches addresses and CIDR blocks, IPv4 and IPv6, and IPv4-mapped clients', () => {
    const allowed = compileIpAllowList(['10.1.0.0/16', '192.168.1.7', '2001:db8::/32']);
    assert.equal(allowed('10.1.2.3'), true);
    assert.equal(allowed('::ffff:10.1.2.3'), true);
    assert.equal(allowed('10.2.0.1'), false);
    assert.equal(allowed('192.168.1.7'), true);
    assert.equal(allowed('2001:db8::1'), true);
    assert.equal(allowed('2001:db9::1'), false);
    assert.equal(allowed('garbage'), false);
  });
  it('names bad entries', () => {
    assert.equal(ipEntryProblem('10.0.0.0/8'), null);
    assert.match(ipEntryProblem('10.0.0.0/33')!, /0–32/);
    assert.match(ipEntryProblem('example.com')!, /not an IP/);
  });
});
