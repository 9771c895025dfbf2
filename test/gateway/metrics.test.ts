import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { TallyCounter, TallyHistogram } from '../../src/gateway/metrics.ts';

describe('tallied metrics', () => {
  it('a scrape shows every increment once, per label set', async () => {
    const registry = new Registry();
    const c = new TallyCounter(registry, 't_requests_total', 'h', ['model', 'status']);
    for (let i = 0; i < 5; i++) c.inc({ model: 'qwen', status: 200 });
    c.inc({ model: 'qwen', status: 500 }, 2);
    c.inc({ model: 'deepseek', status: 200 });
    const values = async () => Object.fromEntries((await c.metric.get()).values.map((v) => [`${v.labels.model}/${v.labels.status}`, v.value]));
    assert.deepEqual(await values(), { 'qwen/200': 5, 'qwen/500': 2, 'deepseek/200': 1 });
    assert.deepEqual(await values(), { 'qwen/200': 5, 'qwen/500': 2, 'deepseek/200': 1 }, 'a second scrape adds nothing');
    c.inc({ model: 'qwen', status: 200 });
    assert.match(await registry.metrics(), /^t_requests_total\{model="qwen",status="200"\} 6$/m);
  });

  it('a histogram keeps every observation, also when thousands arrive between scrapes', async () => {
    const registry = new Registry();
    const h = new TallyHistogram(registry, 't_seconds', 'h', ['model'], [0.01, 0.1, 1]);
    for (let i = 0; i < 10_000; i++) h.observe({ model: 'qwen' }, i % 2 === 0 ? 0.005 : 0.5);
    const text = await registry.metrics();
    assert.match(text, /^t_seconds_count\{model="qwen"\} 10000$/m);
    assert.match(text, /^t_seconds_bucket\{le="0.01",model="qwen"\} 5000$/m);
    assert.ok(Math.abs(Number(/^t_seconds_sum\{model="qwen"\} (\S+)$/m.exec(text)![1]) - 2525) < 1e-6);
  });
});
