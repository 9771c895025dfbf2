/**
 * Regressions (issue 12, item 6 c–e): anchors carried no chain identity, so two installations sharing one anchor
 * file reported an intact log as "chain rewritten"; the newest records could be deleted until the next hourly
 * anchor; anchors could not be checked off the host. Now each anchor names its chain, is written every N records
 * too, and is SM2-signed (GB/T 32918) with the installation's key.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  auditLogFromConfig, createAuditLog, generateSm2KeyPair, loadOrCreateAnchorSigner, publicKeyFileOf, readSm2PrivateKey, readSm2PublicKey,
  sm2PublicKeyPem, sm2PublicPoint, sm2Sign, sm2Verify,
} from '../../src/audit/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { event } from './fixtures/events.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('SM2 signatures match GB/T 32918.5-2017 (GM/T 0003.5-2012) Annex A', () => {
  // The standard's example on the recommended curve: message "message digest", ID "1234567812345678".
  const d = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8n;
  const pub = { x: 0x09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020n, y: 0xCCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13n };
  const k = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21n;
  const rs = 'F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3' + 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA';
  const m = Buffer.from('message digest');

  it('derives the published public key and signature, and verifies it', () => {
    assert.deepEqual(sm2PublicPoint(d), pub);
    assert.equal(sm2Sign(m, d, { k }).toUpperCase(), rs);
    assert.equal(sm2Verify(m, rs, pub), true);
  });

  it('refuses a changed message, a changed signature, another signer ID and another key', () => {
    assert.equal(sm2Verify(Buffer.from('message digesT'), rs, pub), false);
    assert.equal(sm2Verify(m, rs.slice(0, -1) + (rs.endsWith('A') ? 'B' : 'A'), pub), false);
    assert.equal(sm2Verify(m, rs, pub, { id: 'ALICE123@YAHOO.COM' }), false);
    assert.equal(sm2Verify(m, rs, sm2PublicPoint(d + 1n)), false);
    assert.equal(sm2Verify(m, 'zz', pub), false);
  });

  it('keys made by OpenSSL round-trip through PEM', () => {
    const pair = generateSm2KeyPair();
    const priv = readSm2PrivateKey(pair.privateKeyPem);
    assert.deepEqual(readSm2PublicKey(pair.publicKeyPem), sm2PublicPoint(priv));
    assert.deepEqual(readSm2PublicKey(sm2PublicKeyPem(pub)), pub);
    assert.equal(sm2Verify(m, sm2Sign(m, priv), readSm2PublicKey(pair.publicKeyPem)), true);
  });
});

describe('audit anchors bound to their chain, every N records, SM2-signed', () => {
  let dir: string;
  const stores: Store[] = [];
  const open = async (name: string) => {
    const s = await openStore(`sqlite:${join(dir, name, 'yumen.db')}`);
    stores.push(s);
    return s;
  };
  before(() => { dir = mkdtempSync(join(tmpdir(), 'yumen-anchors-')); });
  after(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two installations sharing one anchor file both verify intact (no false "chain rewritten")', async () => {
    const shared = join(dir, 'shared-anchors.jsonl');
    for (const name of ['one', 'two']) {
      const log = createAuditLog((await open(name)).db, { anchor: { file: shared } });
      for (let i = 0; i < 4; i++) await log.record(event(i, { requestId: `${name}-${i}` }));
      await log.anchor();
    }
    for (const store of stores.slice(0, 2)) {
      const v = await createAuditLog(store.db).verify({ anchorFile: shared });
      assert.equal(v.ok, true, JSON.stringify(v));
      assert.equal(v.ok && v.externalAnchorsChecked, 1);
      assert.equal(v.ok && v.anchorsIgnored, 1);
    }
    const lines = readFileSync(shared, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.notEqual(lines[0].chain, lines[1].chain);
  });

  it('keeps the anchor file beside the SQLite database by default', async () => {
    const store = await open('beside');
    const config = { data_dir: join(dir, 'elsewhere'), storage: { url: `sqlite:${join(dir, 'beside', 'yumen.db')}` }, audit: { anchor: { key_file: false } } };
    const log = auditLogFromConfig(store.db, config as never);
    await log.record(event(1));
    await log.anchor();
    assert.equal(JSON.parse(readFileSync(join(dir, 'beside', 'audit-anchors.jsonl'), 'utf8')).seq, 1);
  });

  it('anchors every N records, so deleting the newest records and rewinding the head is caught at once', async () => {
    const store = await open('every');
    const anchorFile = join(dir, 'every', 'a.jsonl');
    const log = createAuditLog(store.db, { anchor: { file: anchorFile }, anchorEveryRecords: 5 });
    for (let i = 0; i < 12; i++) await log.record(event(i));
    await log.flush(); // the anchors are written beside the commits; flush waits for them too
    const seqs = readFileSync(anchorFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l).seq as number);
    assert.ok(seqs.length >= 2 && seqs[0] >= 5 && seqs.at(-1)! >= 10, `anchors at ${seqs.join(',')}`);
    // The insider deletes records 8–12 and rewinds the head to 7: internally consistent again.
    await store.db.deleteFrom('audit_records').where('seq', '>', 7).execute();
    const seven = await store.db.selectFrom('audit_records').select('hash').where('seq', '=', 7).executeTakeFirstOrThrow();
    await store.db.updateTable('audit_head').set({ seq: 7, hash: seven.hash }).execute();
    assert.equal((await log.verify()).ok, true, 'without anchors the truncation is invisible');
    const v = await log.verify({ anchorFile });
    assert.equal(v.ok, false);
    assert.match(!v.ok ? v.reason : '', /truncated|external anchor/);
  });

  it('signs anchors with the installation key; verify with the public key alone catches a forged anchor', async () => {
    const store = await open('signed');
    const anchorFile = join(dir, 'signed', 'a.jsonl');
    const keyFile = join(dir, 'signed', 'audit-anchor-sm2.pem');
    const log = createAuditLog(store.db, { anchor: { file: anchorFile }, anchorSigner: loadOrCreateAnchorSigner(keyFile) });
    for (let i = 0; i < 3; i++) await log.record(event(i));
    const a = await log.anchor();
    assert.match(a!.sig!, /^[0-9a-f]{128}$/);
    const publicKeyPem = readFileSync(publicKeyFileOf(keyFile), 'utf8');
    assert.equal((await log.verify({ anchorFile, publicKeyPem })).ok, true);
    // Someone who can write the file but lacks the key rewrites the anchor to match a rewritten chain.
    const forged = { ...JSON.parse(readFileSync(anchorFile, 'utf8')), hash: 'e'.repeat(64) };
    writeFileSync(anchorFile, `${JSON.stringify(forged)}\n`);
    const v = await log.verify({ anchorFile, publicKeyPem });
    assert.equal(v.ok, false);
    assert.match(!v.ok ? v.reason : '', /SM2 signature/);
    const other = generateSm2KeyPair().publicKeyPem;
    writeFileSync(anchorFile, `${JSON.stringify({ ...forged, hash: a!.hash })}\n`);
    assert.equal((await log.verify({ anchorFile, publicKeyPem })).ok, true);
    assert.equal((await log.verify({ anchorFile, publicKeyPem: other })).ok, false, 'another installation\'s key does not vouch for it');
  });

  it('yumen audit verify --anchors FILE --public-key FILE', async () => {
    const home = join(dir, 'cli');
    const config = join(dir, 'cli.yaml');
    writeFileSync(config, `storage: { url: "sqlite:${join(home, 'yumen.db')}" }\ndata_dir: ${home}\nlog: { level: silent }\n`);
    const store = await open('cli');
    const log = auditLogFromConfig(store.db, { storage: { url: `sqlite:${join(home, 'yumen.db')}` }, data_dir: home } as never);
    for (let i = 0; i < 3; i++) await log.record(event(i));
    await log.anchor();
    await log.flush();
    const run = (args: string[]) => new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', MAIN, 'audit', 'verify', '--config', config, ...args], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }));
    });
    const anchors = join(home, 'audit-anchors.jsonl');
    const pub = join(home, 'audit-anchor-sm2.pub.pem');
    const ok = await run(['--anchors', anchors, '--public-key', pub]);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /SM2 signatures valid/);
    const otherKey = join(dir, 'other.pub.pem');
    writeFileSync(otherKey, generateSm2KeyPair().publicKeyPem);
    const bad = await run(['--anchors', anchors, '--public-key', otherKey]);
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /SM2 signature/);
  });
});
