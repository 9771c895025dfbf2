/**
 * A seeded fuzz of request shapes: valid bodies of every OpenAI route Yumen serves, each bent in one to three places
 * (a field set to a value of another kind, removed, or added where it does not belong, at any depth). Whatever the
 * client sends, the answer is never a 5xx while the model behind answers well, a refusal is in the OpenAI error
 * shape, the server keeps answering, and no raw value in the body reaches the external model.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { mulberry32 } from '../helpers/random.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const KEYS = [
  'model', 'messages', 'role', 'content', 'type', 'text', 'image_url', 'url', 'tool_calls', 'tool_call_id', 'function', 'arguments',
  'name', 'tools', 'parameters', 'description', 'input', 'instructions', 'prompt', 'n', 'stream', 'stream_options', 'max_tokens',
  'max_output_tokens', 'temperature', 'stop', 'response_format', 'json_schema', 'schema', 'metadata', 'user', 'prediction',
  'functions', 'function_call', 'tool_choice', 'logit_bias', 'encoding_format', 'dimensions', 'text', 'format', 'output',
  'previous_response_id', 'include_usage', '__proto__', 'constructor', '',
];
const STRINGS = [
  '', 'hi', '张伟的手机13812345678', '绝密★启用前', 'user', 'assistant', 'system', 'tool', 'developer', 'function', 'text',
  'input_text', 'image_url', 'json_schema', 'json_object', 'auto', 'none', 'required', 'cloud', 'local', 'nope', 'data:text/plain;base64,5byg5Lyf',
  '{"a":1}', '{', '\ud800', '𠀀'.repeat(50), 'x'.repeat(5000),
];

function value(random: () => number, depth: number): Json {
  const r = random();
  if (depth > 3 || r < 0.45) {
    const s = random();
    if (s < 0.1) return null;
    if (s < 0.2) return random() < 0.5;
    if (s < 0.45) return [0, -1, 1, 2, 3.5, 1e308, -0, 128_000, 2 ** 53, 4096][Math.floor(random() * 10)];
    return STRINGS[Math.floor(random() * STRINGS.length)];
  }
  if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => value(random, depth + 1));
  const o: { [key: string]: Json } = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) o[KEYS[Math.floor(random() * KEYS.length)]] = value(random, depth + 1);
  return o;
}

/** Bend body in one place: pick a container at random depth, then set, delete or add one of its members. */
function mutate(body: Json, random: () => number): void {
  let at: Json = body;
  for (let d = 0; d < 5; d++) {
    const kids = Array.isArray(at) ? at : at && typeof at === 'object' ? Object.values(at) : [];
    const containers = kids.filter((k) => k !== null && typeof k === 'object');
    if (containers.length === 0 || random() < 0.35) break;
    at = containers[Math.floor(random() * containers.length)];
  }
  if (Array.isArray(at)) {
    const i = Math.floor(random() * (at.length + 1));
    if (random() < 0.3 && at.length > 0) at.splice(Math.min(i, at.length - 1), 1);
    else at[i] = value(random, 1);
  } else if (at && typeof at === 'object') {
    const keys = Object.keys(at);
    const k = keys.length > 0 && random() < 0.7 ? keys[Math.floor(random() * keys.length)] : KEYS[Math.floor(random() * KEYS.length)];
    if (random() < 0.25) delete at[k];
    else at[k] = value(random, 1);
  }
}

const BASES: Array<[string, Json]> = [
  ['/v1/chat/completions', {
    model: 'cloud', max_tokens: 64, stop: ['。'], metadata: { topic: '预算' },
    messages: [
      { role: 'system', content: '你是助手' },
      { role: 'user', content: [{ type: 'text', text: '联系张伟，手机13812345678' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"张伟"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '住址北京市朝阳区建国路88号' },
    ],
    tools: [{ type: 'function', function: { name: 'lookup', description: '查人', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
    response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } },
  }],
  ['/v1/completions', { model: 'cloud', prompt: ['写一句话', '给张伟'], max_tokens: 16, stop: '\n' }],
  ['/v1/responses', {
    model: 'cloud', instructions: '简洁', max_output_tokens: 64,
    input: [{ role: 'user', content: [{ type: 'input_text', text: '张伟的邮箱zhang.wei@example.com' }] }],
    tools: [{ type: 'function', name: 'lookup', description: '查人', parameters: { type: 'object' } }],
    text: { format: { type: 'json_schema', name: 'r', schema: { type: 'object' } } },
  }],
  ['/v1/embeddings', { model: 'cloud', input: ['张伟', '预算'], encoding_format: 'float' }],
];

describe('request shapes, fuzzed', () => {
  let up: MockUpstream;
  let y: TestYumen;
  let key: string;

  before(async () => {
    up = await startMockUpstream();
    y = await startTestYumen({ models: [{ name: 'cloud', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'external' }] });
    key = await y.key('财政局');
  });
  after(async () => {
    await y.stop();
    await up.close();
  });

  it('never answers 5xx to a bent body of any route, refuses in the OpenAI error shape, lets nothing raw out, and keeps serving', async () => {
    const random = mulberry32(20261207);
    const statuses = new Map<number, number>();
    for (let k = 0; k < 600; k++) {
      const [path, base] = BASES[k % BASES.length];
      const body = structuredClone(base);
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) mutate(body, random);
      const sent = JSON.stringify(body);
      const res = await request(`${y.url}${path}`, { method: 'POST', body: sent, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
      const text = await res.body.text();
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      assert.ok(res.statusCode < 500, `${path} ${sent.slice(0, 300)} → ${res.statusCode} ${text.slice(0, 300)}`);
      if (res.statusCode >= 400) {
        const error = JSON.parse(text).error;
        assert.equal(typeof error?.code, 'string', text.slice(0, 200));
        assert.equal(typeof error?.message, 'string', text.slice(0, 200));
      }
    }
    // Both kinds of answer occurred: the fuzz bends bodies, it does not only break them.
    assert.ok((statuses.get(200) ?? 0) > 50, JSON.stringify([...statuses]));
    assert.ok([...statuses.keys()].some((s) => s >= 400), JSON.stringify([...statuses]));
    // And nothing raw left for the external model, wherever the bent body put it.
    for (const r of up.requests) {
      const seen = JSON.stringify(r.body);
      for (const raw of ['13812345678', 'zhang.wei@example.com', '绝密', '建国路88号']) assert.ok(!seen.includes(raw), `${raw} reached the model: ${seen.slice(0, 300)}`);
    }
    assert.ok(up.requests.length > 50);
    const health = await request(`${y.url}/healthz`);
    assert.equal(health.statusCode, 200);
    await health.body.text();
  });
});
