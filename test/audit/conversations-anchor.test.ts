import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createConversationCapture, validateAuditConfig, writeAnchor, auditSettings } from '../../src/audit/index.ts';
import { openStore } from '../../src/store/index.ts';
import type { YumenConfig } from '../../src/config/index.ts';
import { createTestDatabase, testDialects } from '../helpers/db.ts';

for (const dialect of await testDialects()) {
  describe(`conversation storage on ${dialect}`, () => {
    it('is off by default, stores only enabled departments, and prunes by age', async () => {
      const tdb = await createTestDatabase(dialect);
      const store = await openStore(tdb.url);
      try {
        const off = createConversationCapture(store.db, auditSettings({ data_dir: './data' }).conversations);
        const c = { requestId: 'r0', tenantId: 't1', tenantName: '财政局', keyId: null, model: 'm', zone: 'private', messages: [{ role: 'user', content: '[手机号_1] 请回电' }], completion: '好的' };
        off.capture(c);
        await off.close();
        assert.equal((await off.list()).length, 0);

        const on = createConversationCapture(store.db, { enabled: true, tenants: ['财政局'] });
        on.capture({ ...c, requestId: 'r1', time: Date.now() - 10 * 86_400_000 });
        on.capture({ ...c, requestId: 'r2' });
        on.capture({ ...c, requestId: 'r3', tenantId: 't2', tenantName: '公安局' });
        await on.close();
        const rows = await on.list({ tenantId: 't1' });
        assert.deepEqual(rows.map((r) => r.id), ['r1', 'r2']);
        assert.deepEqual(rows[1].messages, c.messages);
        assert.equal((await on.list({ tenantId: 't2' })).length, 0);
        assert.equal(await on.prune(5), 1);
        assert.deepEqual((await on.list()).map((r) => r.id), ['r2']);
      } finally {
        await store.close();
        await tdb.drop();
      }
    });
  });
}

describe('audit anchors and config', () => {
  it('sends the head to syslog over UDP', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const got = new Promise<string>((r) => socket.once('message', (m) => r(m.toString())));
    await writeAnchor({ syslog: { host: '127.0.0.1', port: (socket.address() as AddressInfo).port } }, { time: 0, seq: 7, hash: 'ab' });
    assert.match(await got, /^<110>1 1970-01-01T00:00:00.000Z \S+ yumen - audit-anchor - \{"time":0,"seq":7,"hash":"ab"\}$/);
    socket.close();
  });

  it('validates the audit section with key paths', () => {
    const c = (audit: unknown) => ({ audit }) as unknown as YumenConfig;
    assert.deepEqual(validateAuditConfig(c({ retention_days: 180, anchor: { file: 'a.jsonl', syslog: 'udp://127.0.0.1:514', interval_s: 60 }, conversations: { enabled: true, tenants: ['财政局'] } })), []);
    assert.deepEqual(validateAuditConfig(c({ retention_days: 0, anchor: { syslog: 'tcp://x' }, conversations: { enabled: 'yes' }, foo: 1 })), [
      'audit.foo: unknown key (known: retention_days, anchor, conversations)',
      'audit.retention_days: expected an integer ≥ 1 (days; 网络安全法 Art. 21 asks for at least 180)',
      'audit.anchor.syslog: expected udp://host:port',
      'audit.conversations.enabled: expected true or false',
    ]);
  });
});
