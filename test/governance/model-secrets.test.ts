/**
 * Regression (issue 12, item 3): a credential passed as a custom model header (x-api-key) was stored in plain
 * text and a plain member read it back from GET /api/models/{name}. Header values are now sealed with the API
 * key (SM4) and the API shows only their names.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createModelStore, lazySecretBox, loadMasterKey } from '../../src/governance/index.ts';
import { loginAs, startFixture, type Fixture } from './helpers.ts';

describe('model headers are sealed and never returned', () => {
  let f: Fixture;
  before(async () => { f = await startFixture('sqlite'); });
  after(async () => f?.close());

  it('seals header values (model and backends), shows only names, keeps them on PATCH, and hands them to the gateway', async () => {
    const sys = await loginAs(f.url, 'sys');
    const created = await sys.req('POST', '/api/models', {
      name: 'hdr-model', provider: 'openai-compatible', zone: 'external', model: 'm',
      headers: { 'x-api-key': 'hdr-secret-777' },
      backends: [{ base_url: 'https://a.example.com/v1', headers: { cookie: 'session=backend-secret-888' } }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const member = await loginAs(f.url, 'member-a');
    for (const res of [created, await member.req('GET', '/api/models/hdr-model'), await member.req('GET', '/api/models')]) {
      const text = JSON.stringify(res.body);
      assert.ok(!text.includes('hdr-secret-777') && !text.includes('backend-secret-888'), text);
    }
    const shown = (await member.req('GET', '/api/models/hdr-model')).body;
    assert.deepEqual(shown.config.headers, { 'x-api-key': '(sealed)' });
    assert.deepEqual(shown.config.backends[0].headers, { cookie: '(sealed)' });
    const row = await f.yumen.store.db.selectFrom('stored_models').selectAll().where('name', '=', 'hdr-model').executeTakeFirstOrThrow();
    assert.ok(!row.config.includes('hdr-secret') && !row.config.includes('backend-secret'), row.config);

    const patched = await sys.req('PATCH', '/api/models/hdr-model', { headers: { 'x-api-key': '(sealed)', 'x-extra': 'new-999' } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.ok(!JSON.stringify(patched.body).includes('new-999'));
    const box = lazySecretBox(() => loadMasterKey({ dataDir: f.dataDir }).key);
    const models = await createModelStore(f.yumen.store.db, box).listStoredModels();
    const m = models.find((x) => x.name === 'hdr-model')!;
    assert.deepEqual(m.headers, { 'x-api-key': 'hdr-secret-777', 'x-extra': 'new-999' });
    assert.deepEqual(m.backends![0].headers, { cookie: 'session=backend-secret-888' });
  });
});
