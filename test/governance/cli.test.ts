/** `yumen dept`, `yumen user`, `yumen keys list|revoke` against a real database. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccounts, GOVERNANCE_DEFAULTS } from '../../src/governance/index.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/db.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

for (const dialect of await testDialects()) {
  describe(`governance CLI on ${dialect}`, () => {
    let tdb: TestDatabase;
    let dir: string;
    let configFile: string;
    const yumen = (args: string[], input?: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args, '--config', configFile], { input, encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    before(async () => {
      tdb = await createTestDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'yumen-cli-'));
      configFile = join(dir, 'yumen.yaml');
      writeFileSync(configFile, `storage: { url: "${tdb.url}" }\ndata_dir: ${dir}\nlog: { level: silent }\ngovernance: { password: { scrypt_n: 1024 } }\n`);
    });
    after(async () => {
      await tdb.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('bootstraps departments and accounts, and refuses a second top role', async () => {
      assert.equal(yumen(['dept', 'create', '财政局']).code, 0);
      const child = yumen(['dept', 'create', '预算处', '--parent', '财政局']);
      assert.equal(child.code, 0, child.err);
      assert.match(yumen(['dept', 'list']).out, /财政局 .*\n {2}预算处 /);
      const sys = yumen(['user', 'create', 'root', '--role', 'sysadmin', '--password-stdin'], 'Bootstrap-Pass-1\n');
      assert.equal(sys.code, 0, sys.err);
      assert.match(sys.out, /^[0-9a-f-]{36}\n$/);
      const weak = yumen(['user', 'create', 'weak', '--role', 'auditor', '--password-stdin'], 'short\n');
      assert.notEqual(weak.code, 0);
      assert.match(weak.err, /password/);
      const member = yumen(['user', 'create', 'li', '--role', 'member', '--department', '预算处', '--password-stdin'], 'Member-Pass-1\n');
      assert.equal(member.code, 0, member.err);
      assert.match(yumen(['user', 'list']).out, /li\tmember@预算处/);

      const store = await openStore(tdb.url);
      try {
        const accounts = createAccounts(store.db, { settings: GOVERNANCE_DEFAULTS });
        assert.ok((await accounts.login('root', 'Bootstrap-Pass-1')).sessionId);
        await assert.rejects(accounts.users.setRoles((await accounts.users.findByUsername('root'))!.id, [{ role: 'sysadmin', tenantId: null }, { role: 'auditor', tenantId: null }]), (e: any) => e.code === 'role_conflict');
      } finally {
        await store.close();
      }
      assert.equal(yumen(['user', 'passwd', 'li', '--password-stdin'], 'Changed-Pass-2\n').code, 0);
      assert.equal(yumen(['user', 'disable', 'li']).code, 0);
      assert.match(yumen(['user', 'list']).out, /li\t.*\(disabled\)/);
      const last = yumen(['user', 'disable', 'root']);
      assert.notEqual(last.code, 0, 'the last sysadmin stays enabled');
      assert.match(last.err, /last active system administrator/);
      assert.doesNotMatch(yumen(['user', 'list']).out, /root\t.*\(disabled\)/);
    });

    it('grants the three roles on the host only, and audits every host act on accounts as host.user.*', async () => {
      assert.equal(yumen(['user', 'create', 'zhao', '--role', 'member', '--department', '财政局', '--password-stdin'], 'Zhao-Pass-Word-1\n').code, 0);
      const promote = yumen(['user', 'roles', 'zhao', '--role', 'secadmin']);
      assert.equal(promote.code, 0, promote.err);
      assert.match(yumen(['user', 'list']).out, /zhao\tsecadmin\t/);
      const store = await openStore(tdb.url);
      try {
        const rows = await store.db.selectFrom('audit_records').select(['action', 'actor']).where('action', 'like', 'host.user.%').execute();
        const actions = rows.map((r) => r.action);
        for (const a of ['host.user.create', 'host.user.roles', 'host.user.passwd', 'host.user.disable']) assert.ok(actions.includes(a), `${a} in ${actions.join(',')}`);
        assert.ok(rows.every((r) => r.actor?.startsWith('host:')));
      } finally {
        await store.close();
      }
    });

    it('keys create prints only the key; list and revoke by prefix', () => {
      const created = yumen(['keys', 'create', '--tenant', '公安局']);
      assert.equal(created.code, 0, created.err);
      assert.match(created.out, /^ym-[A-Za-z0-9]{40}\n$/);
      const listed = JSON.parse(yumen(['keys', 'list', '--tenant', '公安局', '--format', 'json']).out);
      assert.equal(listed.length, 1);
      assert.equal(listed[0].status, 'active');
      assert.equal(listed[0].last_used_at, null);
      assert.match(yumen(['keys', 'list']).out, /\tnever used\n/);
      assert.ok(!JSON.stringify(listed).includes(created.out.trim()), 'never the secret');
      assert.equal(yumen(['keys', 'revoke', listed[0].prefix]).code, 0);
      assert.equal(JSON.parse(yumen(['keys', 'list', '--format', 'json']).out)[0].status, 'revoked');
      assert.notEqual(yumen(['keys', 'revoke', 'ym-nope']).code, 0);
    });
  });
}
