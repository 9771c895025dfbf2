import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { MockAgent } from 'undici';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { createModelRegistry, UpstreamError, type ChatCompletionChunk, type ModelConfig } from '../../src/providers/index.ts';

let up: MockUpstream;
before(async () => { up = await startMockUpstream(); });
after(async () => { await up.close(); });

const ctx = (signal = new AbortController().signal) => ({ signal, requestId: 'req-1' });

function registry(extra: Partial<ModelConfig> = {}) {
  return createModelRegistry([{ name: 'm', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private', retries: 0, ...extra } as ModelConfig]);
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

async function rejectsKind(p: Promise<unknown>, kind: string): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof UpstreamError, `expected UpstreamError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    return err;
  }
  assert.fail(`expected an UpstreamError(${kind})`);
}

test('non-stream chat passes every field through, swaps the model id, authenticates and keeps upstream\'s reply model', async () => {
  const reg = registry({ model: 'Qwen2.5-72B-Instruct', api_key: 'sk-test', headers: { 'x-extra': '1' } });
  const h = reg.get('m')!;
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
  const n = up.requests.length;
  const { completion, servedBy } = await h.chat({
    model: 'm', messages: [{ role: 'user', content: '你好' }], tools, tool_choice: 'auto', stop: ['\n'], seed: 7, temperature: 0.2, max_tokens: 9,
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } }, vendor_field: { a: 1 },
  }, ctx());
  const rec = up.requests[n];
  assert.equal(rec.path, '/v1/chat/completions');
  assert.equal(rec.headers.authorization, 'Bearer sk-test');
  assert.equal(rec.headers['x-extra'], '1');
  assert.equal(rec.headers['x-request-id'], 'req-1');
  assert.equal(rec.body.model, 'Qwen2.5-72B-Instruct');
  assert.deepEqual(rec.body.tools, tools);
  assert.equal(rec.body.tool_choice, 'auto');
  assert.deepEqual(rec.body.stop, ['\n']);
  assert.equal(rec.body.seed, 7);
  assert.equal(rec.body.max_tokens, 9);
  assert.equal(rec.body.response_format.type, 'json_schema');
  assert.deepEqual(rec.body.vendor_field, { a: 1 });
  assert.equal(rec.body.stream, false);
  assert.equal(completion.choices[0].message.content, 'Hello from mock');
  assert.equal(completion.model, 'Qwen2.5-72B-Instruct');
  assert.deepEqual(servedBy, { model: 'm', backend: `127.0.0.1:${up.port}`, zone: 'private' });
  await reg.close();
});

test('stream yields the upstream chunks and the final usage chunk when include_usage was asked', async () => {
  const reg = registry();
  const n = up.requests.length;
  const { stream } = await reg.get('m')!.chatStream({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }, ctx());
  const chunks = await collect(stream);
  assert.equal(up.requests[n].body.stream, true);
  assert.deepEqual(up.requests[n].body.stream_options, { include_usage: true });
  assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Hello from mock');
  const last = chunks[chunks.length - 1];
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage?.total_tokens, 8);
  await reg.close();
});

test('an upstream that ignores stream:true and answers JSON is replayed as chunks', async () => {
  const reg = registry();
  up.enqueue({ handle: (_r, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'u', choices: [{ index: 0, message: { role: 'assistant', content: 'whole' }, finish_reason: 'stop' }] })); } });
  const { stream } = await reg.get('m')!.chatStream({ model: 'm', messages: [] }, ctx());
  const chunks = await collect(stream);
  assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'whole');
  assert.equal(chunks.at(-1)!.choices[0].finish_reason, 'stop');
  await reg.close();
});

test('embeddings pass through', async () => {
  const reg = registry({ model: 'bge-m3' });
  const { response } = await reg.get('m')!.embeddings({ model: 'm', input: ['a', 'bb'] }, ctx());
  assert.equal(response.data.length, 2);
  assert.equal(up.requests.at(-1)!.body.model, 'bge-m3');
  assert.equal(up.requests.at(-1)!.path, '/v1/embeddings');
  await reg.close();
});

test('Azure OpenAI uses the deployment path, api-version and the api-key header', async () => {
  const reg = createModelRegistry([{ name: 'az', provider: 'azure-openai', base_url: up.url, deployment: 'gpt4o-prod', api_version: '2024-06-01', api_key: 'az-key', zone: 'external' }]);
  await reg.get('az')!.chat({ model: 'az', messages: [{ role: 'user', content: 'x' }] }, ctx());
  const rec = up.requests.at(-1)!;
  assert.equal(rec.path, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-06-01');
  assert.equal(rec.headers['api-key'], 'az-key');
  assert.equal(rec.headers.authorization, undefined);
  await reg.close();
});

test('a preset supplies the base URL: provider deepseek with only a key (dispatcher swapped for a MockAgent)', async () => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  let seenAuth: unknown;
  agent.get('https://api.deepseek.com').intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(200, (opts) => {
    seenAuth = (opts.headers as Record<string, string>).authorization;
    return { id: '1', object: 'chat.completion', created: 1, model: 'deepseek-chat', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] };
  }, { headers: { 'content-type': 'application/json' } });
  const reg = createModelRegistry([{ name: 'deepseek-chat', provider: 'deepseek', api_key: 'sk-ds', zone: 'external' }], { dispatcher: agent });
  const { completion, servedBy } = await reg.get('deepseek-chat')!.chat({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }] }, ctx());
  assert.equal(completion.choices[0].message.content, 'ok');
  assert.equal(seenAuth, 'Bearer sk-ds');
  assert.equal(servedBy.backend, 'api.deepseek.com');
  await reg.close();
  await agent.close();
});

test('upstream statuses map to kinds: 400 client (with upstream message), 429 rate_limited, 503 server', async () => {
  const reg = registry();
  const h = reg.get('m')!;
  up.enqueue({ status: 400, json: { error: { message: 'context too long' } } });
  const e = await rejectsKind(h.chat({ model: 'm', messages: [] }, ctx()), 'client');
  assert.match(e.message, /context too long/);
  assert.equal(e.status, 400);
  up.enqueue({ status: 429 });
  await rejectsKind(h.chatStream({ model: 'm', messages: [] }, ctx()), 'rate_limited');
  up.enqueue({ status: 503, body: '<html>bad gateway</html>' });
  await rejectsKind(h.chat({ model: 'm', messages: [] }, ctx()), 'server');
  await reg.close();
});

test('garbage answers are protocol errors: invalid JSON, JSON without choices, a broken SSE event', async () => {
  const reg = registry();
  const h = reg.get('m')!;
  up.enqueue({ body: 'not json at all' });
  await rejectsKind(h.chat({ model: 'm', messages: [] }, ctx()), 'protocol');
  up.enqueue({ json: { hello: 'world' } });
  await rejectsKind(h.chat({ model: 'm', messages: [] }, ctx()), 'protocol');
  up.enqueue({ sse: ['data: {"id":"1","choices":[{"index":0,"delta":{"content":"a"}}]}\n\n', 'data: {broken\n\n'] });
  const { stream } = await h.chatStream({ model: 'm', messages: [] }, ctx());
  await rejectsKind(collect(stream), 'protocol');
  up.enqueue({ sse: ['data: {"error":{"message":"engine overloaded"}}\n\n'] });
  const s2 = await h.chatStream({ model: 'm', messages: [] }, ctx());
  const e = await rejectsKind(collect(s2.stream), 'server');
  assert.match(e.message, /engine overloaded/);
  await reg.close();
});

test('an unreachable backend is a connect error', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
  const reg = createModelRegistry([{ name: 'm', provider: 'vllm', base_url: `http://127.0.0.1:${port}/v1`, zone: 'private', retries: 0 }]);
  await rejectsKind(reg.get('m')!.chat({ model: 'm', messages: [] }, ctx()), 'connect');
  await reg.close();
});

test('timeouts: no first byte, silence between chunks, total', async () => {
  const reg = registry({ timeouts: { first_byte_ms: 150, idle_ms: 150, total_ms: 60_000 } });
  const h = reg.get('m')!;
  up.enqueue({ hang: true });
  await rejectsKind(h.chatStream({ model: 'm', messages: [] }, ctx()), 'timeout');
  up.enqueue({ stream: ['a', 'b', 'c'], stallAfter: 2 });
  const { stream } = await h.chatStream({ model: 'm', messages: [] }, ctx());
  await rejectsKind(collect(stream), 'timeout');
  await reg.close();
  const reg2 = registry({ timeouts: { first_byte_ms: 60_000, idle_ms: 60_000, total_ms: 200 } });
  up.enqueue({ hang: true });
  await rejectsKind(reg2.get('m')!.chat({ model: 'm', messages: [] }, ctx()), 'timeout');
  await reg2.close();
});

test('whole (non-stream) calls: no first byte is a timeout, a client that leaves aborts the upstream request, a dropped socket is an error', async () => {
  const reg = registry({ timeouts: { first_byte_ms: 150, idle_ms: 150, total_ms: 60_000 } });
  const h = reg.get('m')!;
  up.enqueue({ hang: true });
  await rejectsKind(h.chat({ model: 'm', messages: [] }, ctx()), 'timeout');
  await reg.close();
  const reg2 = registry();
  const abortsBefore = up.requests.filter((r) => r.aborted).length;
  up.enqueue({ hang: true });
  const ac = new AbortController();
  const pending = reg2.get('m')!.chat({ model: 'm', messages: [] }, ctx(ac.signal));
  setTimeout(() => ac.abort(), 50);
  await rejectsKind(pending, 'aborted');
  await up.waitForAborts(abortsBefore + 1);
  up.enqueue({ hang: true });
  const ac2 = new AbortController();
  const embedded = reg2.get('m')!.embeddings({ model: 'm', input: '你好' }, ctx(ac2.signal));
  setTimeout(() => ac2.abort(), 50);
  await rejectsKind(embedded, 'aborted');
  assert.equal(reg2.stats()[0].inFlight, 0);
  await reg2.close();
});

test('a socket dropped mid-stream ends the iteration with an error, never a hang', async () => {
  const reg = registry();
  up.enqueue({ stream: ['a', 'b', 'c', 'd'], destroy: 2 });
  const { stream } = await reg.get('m')!.chatStream({ model: 'm', messages: [] }, ctx());
  await assert.rejects(collect(stream), UpstreamError);
  await reg.close();
});

test('client disconnect mid-stream (ctx.signal aborts) aborts the upstream request', async () => {
  const reg = registry();
  const abortsBefore = up.requests.filter((r) => r.aborted).length;
  up.enqueue({ stream: ['a', 'b', 'c'], stallAfter: 2 });
  const ac = new AbortController();
  const { stream } = await reg.get('m')!.chatStream({ model: 'm', messages: [] }, ctx(ac.signal));
  const it = stream[Symbol.asyncIterator]();
  await it.next();
  const pending = it.next().then(() => it.next());
  ac.abort();
  await rejectsKind(pending, 'aborted');
  await up.waitForAborts(abortsBefore + 1);
  await reg.close();
});

test('a consumer that stops iterating (break) aborts the upstream request', async () => {
  const reg = registry();
  const abortsBefore = up.requests.filter((r) => r.aborted).length;
  up.enqueue({ stream: ['a', 'b', 'c'], stallAfter: 3 });
  const { stream } = await reg.get('m')!.chatStream({ model: 'm', messages: [] }, ctx());
  for await (const _ of stream) break;
  await up.waitForAborts(abortsBefore + 1);
  assert.equal(reg.stats()[0].inFlight, 0);
  await reg.close();
});

test('an already-aborted signal never sends the request', async () => {
  const reg = registry();
  const n = up.requests.length;
  const ac = new AbortController();
  ac.abort();
  await rejectsKind(reg.get('m')!.chat({ model: 'm', messages: [] }, ctx(ac.signal)), 'aborted');
  assert.equal(up.requests.length, n);
  await reg.close();
});
