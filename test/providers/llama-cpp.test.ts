import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyGguf } from '../helpers/tiny-gguf.ts';
import { createModelRegistry, UpstreamError, type ChatCompletionChunk, type ModelRegistry } from '../../src/providers/index.ts';

let dir: string;
let reg: ModelRegistry;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yumen-llama-'));
  const file = await writeTinyGguf(join(dir, 'tiny.gguf'));
  await writeFile(join(dir, 'bad.gguf'), 'this is not a model');
  reg = createModelRegistry([
    { name: 'tiny', provider: 'llama-cpp', path: file, zone: 'private', threads: 1, parallel: 2, context_size: 512 },
    { name: 'missing', provider: 'llama-cpp', path: join(dir, 'nope.gguf'), zone: 'private' },
    { name: 'bad', provider: 'llama-cpp', path: join(dir, 'bad.gguf'), zone: 'private' },
  ]);
});
after(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

const ctx = (signal = new AbortController().signal) => ({ signal, requestId: 'r' });
const ask = { model: 'tiny', messages: [{ role: 'system' as const, content: 'be brief' }, { role: 'user' as const, content: 'hello world' }], max_tokens: 8, temperature: 0 };

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

test('the generated tiny GGUF loads and answers a chat, with usage and servedBy', async () => {
  const h = reg.get('tiny')!;
  assert.deepEqual(h.capabilities, { chat: true, embeddings: true, rerank: false });
  const { completion, servedBy } = await h.chat(ask, ctx());
  assert.deepEqual(servedBy, { model: 'tiny', backend: 'llama-cpp:tiny.gguf', zone: 'private' });
  assert.equal(completion.object, 'chat.completion');
  assert.equal(typeof completion.choices[0].message.content, 'string');
  const u = completion.usage!;
  assert.ok(u.prompt_tokens > 0);
  assert.ok(u.completion_tokens > 0 && u.completion_tokens <= 8);
  assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
  assert.equal(completion.choices[0].finish_reason, u.completion_tokens === 8 ? 'length' : 'stop');
});

test('streaming yields a role chunk, the same text as the non-streamed answer (greedy), a finish chunk and usage', async () => {
  const h = reg.get('tiny')!;
  const whole = (await h.chat(ask, ctx())).completion;
  const { stream } = await h.chatStream({ ...ask, stream: true, stream_options: { include_usage: true } }, ctx());
  const chunks = await collect(stream);
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  assert.equal(text, whole.choices[0].message.content);
  const finish = chunks.at(-2)!;
  assert.equal(finish.choices[0].finish_reason, whole.choices[0].finish_reason);
  assert.deepEqual(chunks.at(-1)!.choices, []);
  assert.deepEqual(chunks.at(-1)!.usage, whole.usage);
});

test('n > 1 generates n choices, whole and streamed, with the completion tokens of all of them', async () => {
  const h = reg.get('tiny')!;
  const one = (await h.chat(ask, ctx())).completion;
  const { completion } = await h.chat({ ...ask, n: 3 }, ctx());
  assert.deepEqual(completion.choices.map((c) => c.index), [0, 1, 2]);
  // Greedy decoding: every choice is the single answer.
  for (const c of completion.choices) assert.equal(c.message.content, one.choices[0].message.content);
  assert.equal(completion.usage!.prompt_tokens, one.usage!.prompt_tokens);
  assert.equal(completion.usage!.completion_tokens, 3 * one.usage!.completion_tokens);
  const { stream } = await h.chatStream({ ...ask, n: 2, stream: true, stream_options: { include_usage: true } }, ctx());
  const chunks = await collect(stream);
  for (const index of [0, 1]) {
    const mine = chunks.filter((c) => c.choices[0]?.index === index);
    assert.equal(mine[0].choices[0].delta.role, 'assistant', `choice ${index} opens with a role chunk`);
    assert.equal(mine.map((c) => c.choices[0].delta.content ?? '').join(''), one.choices[0].message.content);
    assert.equal(mine.at(-1)!.choices[0].finish_reason, one.choices[0].finish_reason);
  }
  assert.equal(chunks.at(-1)!.usage!.completion_tokens, 2 * one.usage!.completion_tokens);
});

test('more calls than parallel sequences queue and all complete', async () => {
  const h = reg.get('tiny')!;
  const results = await Promise.all([1, 2, 3, 4, 5].map((seed) => h.chat({ ...ask, temperature: 0.9, seed }, ctx())));
  for (const r of results) assert.ok(r.completion.usage!.completion_tokens > 0);
});

test('json_schema output is constrained by a grammar', async () => {
  const h = reg.get('tiny')!;
  const { completion } = await h.chat({
    ...ask, max_tokens: 64,
    response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false } } },
  }, ctx());
  const parsed = JSON.parse(completion.choices[0].message.content!);
  assert.equal(typeof parsed.ok, 'boolean');
});

test('embeddings from the embedded model', async () => {
  const { response, servedBy } = await reg.get('tiny')!.embeddings({ model: 'tiny', input: ['hello', 'world'] }, ctx());
  assert.equal(servedBy.backend, 'llama-cpp:tiny.gguf');
  assert.equal(response.data.length, 2);
  assert.equal((response.data[0].embedding as number[]).length, 32);
  assert.ok(response.usage.prompt_tokens > 0);
});

test('a client that goes away mid-stream stops generation and frees the sequence', async () => {
  const h = reg.get('tiny')!;
  const ac = new AbortController();
  const { stream } = await h.chatStream({ ...ask, max_tokens: 400 }, ctx(ac.signal));
  const it = stream[Symbol.asyncIterator]();
  await it.next();
  ac.abort();
  await it.return!();
  // both sequences are usable again
  const again = await Promise.all([h.chat(ask, ctx()), h.chat(ask, ctx())]);
  assert.equal(again.length, 2);
});

test('an aborted signal before the call is an aborted error', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(reg.get('tiny')!.chat(ask, ctx(ac.signal)), (e: unknown) => e instanceof UpstreamError && e.kind === 'aborted');
});

test('tools are refused with a clear client error', async () => {
  await assert.rejects(
    reg.get('tiny')!.chat({ ...ask, tools: [{ type: 'function', function: { name: 'f' } }] }, ctx()),
    (e: unknown) => e instanceof UpstreamError && e.kind === 'client' && /tools are not supported/.test(e.message),
  );
});

test('a missing file and a non-GGUF file give clear errors at first use', async () => {
  await assert.rejects(reg.get('missing')!.chat(ask, ctx()), (e: unknown) => e instanceof UpstreamError && /file not found: .*nope\.gguf/.test(e.message));
  await assert.rejects(reg.get('bad')!.chat(ask, ctx()), (e: unknown) => e instanceof UpstreamError && /not a GGUF file/.test(e.message));
});
