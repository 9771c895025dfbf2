import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { createConversationRepository, createTenantRepository } from '../../src/store/index.ts';

describe('conversation storage for the data flywheel', () => {
  let up: MockUpstream;
  let yumen: TestYumen;

  before(async () => {
    up = await startMockUpstream();
    up.setDefault({ content: '已记录：张伟，电话13800138000。' });
    yumen = await startTestYumen({
      models: [{ name: 'inhouse', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private' }],
      extra: { audit: { conversations: { enabled: true, tenants: ['档案馆'] } } },
    });
  });
  after(async () => {
    await yumen.stop();
    await up.close();
  });

  it('keeps conversations only for enabled departments, redacted as for the external zone, streamed or not', async () => {
    const keeper = new OpenAI({ apiKey: await yumen.key('档案馆'), baseURL: yumen.baseURL, maxRetries: 0 });
    const other = new OpenAI({ apiKey: await yumen.key('办公室'), baseURL: yumen.baseURL, maxRetries: 0 });
    const prompt = '联系人：张伟，电话13800138000，请登记。';
    const res = await keeper.chat.completions.create({ model: 'inhouse', messages: [{ role: 'user', content: prompt }] });
    assert.match(res.choices[0].message.content!, /13800138000/, 'the client still sees the real reply');
    const stream = await keeper.chat.completions.create({ model: 'inhouse', stream: true, messages: [{ role: 'user', content: prompt }] });
    for await (const _ of stream) { /* drain */ }
    await other.chat.completions.create({ model: 'inhouse', messages: [{ role: 'user', content: prompt }] });

    // Conversations are written in batches off the request path: wait for the flush.
    const repo = createConversationRepository(yumen.store.db);
    let kept = await repo.list({});
    for (let i = 0; i < 50 && kept.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      kept = await repo.list({});
    }
    const keeperTenant = (await createTenantRepository(yumen.store.db).findByName('档案馆'))!;
    assert.equal(kept.length, 2);
    assert.ok(kept.every((c) => c.tenantId === keeperTenant.id));
    const text = JSON.stringify(kept);
    assert.doesNotMatch(text, /13800138000|张伟/, 'stored text is redacted');
    assert.match(text, /〔手机号_1〕/);
    assert.ok(kept.every((c) => typeof c.completion === 'string' && c.completion.includes('〔手机号_1〕')), 'the reply is redacted with the same placeholders');
  });
});
