import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelConfig } from '../../src/config/index.ts';
import { createReloadableRegistry, modelReloader } from '../../src/cluster/index.ts';
import { createModelRegistry, type ModelHandle } from '../../src/providers/index.ts';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';

const ctx = () => ({ signal: new AbortController().signal, requestId: 'r1' });
const ask = (h: ModelHandle | undefined) => h!.chat({ model: h!.name, messages: [{ role: 'user', content: 'hi' }] }, ctx());

describe('reloadable model registry (model hot reload)', () => {
  let up: MockUpstream;
  before(async () => { up = await startMockUpstream(); });
  after(() => up.close());
  const model = (name: string, extra: Partial<ModelConfig> = {}): ModelConfig => ({ name, provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private', ...extra } as ModelConfig);

  test('added, changed and removed models take effect at once; unchanged ones keep their handle', async () => {
    const closed: string[] = [];
    const build = (ms: ModelConfig[]) => {
      const r = createModelRegistry(ms);
      // Note which handles get closed.
      for (const h of r.list()) {
        const close = h.close.bind(h);
        (h as { close: () => Promise<void> }).close = () => { closed.push(h.name); return close(); };
      }
      return r;
    };
    const reg = createReloadableRegistry([model('a'), model('b')], build);
    const aBefore = reg.get('a');
    const result = reg.replace([model('a'), model('b', { zone: 'external' }), model('c')]);
    assert.deepEqual(result, { added: ['c'], changed: ['b'], removed: [] });
    assert.equal(reg.get('a'), aBefore, 'an unchanged model is not rebuilt');
    assert.equal(reg.get('b')!.zone, 'external');
    assert.ok((await ask(reg.get('c'))).completion.choices[0].message.content);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(closed, ['b'], 'the replaced handle is closed (nothing was in flight)');
    reg.replace([model('a')]);
    assert.equal(reg.get('b'), undefined);
    assert.equal(reg.get('c'), undefined);
    assert.deepEqual(reg.list().map((h) => h.name), ['a']);
    await reg.close();
  });

  test('a replaced model finishes its in-flight call (stream included) before it is closed', async () => {
    up.enqueue({ stream: ['one ', 'two ', 'three'], chunkDelayMs: 60 });
    const reg = createReloadableRegistry([model('m')], (ms) => createModelRegistry(ms));
    const h = reg.get('m')!;
    const { stream } = await h.chatStream({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }, ctx());
    reg.replace([model('m', { timeouts: { connect_ms: 1234 } } as Partial<ModelConfig>)]);
    assert.notEqual(reg.get('m'), h, 'new calls go to the new handle');
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'one two three', 'the old handle was not closed under the running stream');
    await reg.close();
  });

  test('an invalid config changes nothing', async () => {
    const reg = createReloadableRegistry([model('m')], (ms) => createModelRegistry(ms));
    const before = reg.get('m');
    assert.throws(() => reg.replace([model('m'), { name: 'bad', provider: 'no-such-provider', zone: 'private' } as ModelConfig]));
    assert.equal(reg.get('m'), before);
    assert.equal(reg.get('bad'), undefined);
    await reg.close();
  });

  test('reloads requested during a reload share one follow-up', async () => {
    const reg = createReloadableRegistry([], (ms) => createModelRegistry(ms));
    let loads = 0;
    const reload = modelReloader(async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return [model(`m${loads}`)];
    }, reg);
    await Promise.all([reload(), reload(), reload(), reload()]);
    assert.equal(loads, 2);
    assert.deepEqual(reg.list().map((h) => h.name), ['m2']);
    await reg.close();
  });
});
