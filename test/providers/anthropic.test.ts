import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { createModelRegistry, UpstreamError, type ChatCompletionChunk } from '../../src/providers/index.ts';
import { newStreamState, translateStreamEvent, fromAnthropicMessage } from '../../src/providers/anthropic/translate-response.ts';
import { toAnthropicRequest } from '../../src/providers/anthropic/translate-request.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/anthropic-stream-tool-use.json', import.meta.url), 'utf8')) as Array<Record<string, unknown>>;

function translateAll(events: Array<Record<string, unknown>>, includeUsage: boolean): ChatCompletionChunk[] {
  const state = newStreamState(includeUsage, '', 1);
  return events.flatMap((e) => translateStreamEvent(e, state));
}

test('recorded stream with text and tool_use translates to OpenAI chunks', () => {
  const chunks = translateAll(fixture, true);
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.equal(chunks[0].id, 'msg_014p7gG3wDgGV9EUtLvnow3U');
  assert.equal(chunks[0].model, 'claude-sonnet-4-5');
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  assert.equal(text, '好的，我来查一下北京的天气。');
  const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
  assert.equal(calls[0].id, 'toolu_01T1x1fJ34qAmk2tNTrN7Up6');
  assert.equal(calls[0].function?.name, 'get_weather');
  assert.ok(calls.every((c) => c.index === 0));
  assert.deepEqual(JSON.parse(calls.map((c) => c.function?.arguments ?? '').join('')), { city: '北京' });
  const finish = chunks.find((c) => c.choices[0]?.finish_reason);
  assert.equal(finish!.choices[0].finish_reason, 'tool_calls');
  const usage = chunks.at(-1)!;
  assert.deepEqual(usage.choices, []);
  assert.deepEqual(usage.usage, { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 });
});

test('without include_usage no usage chunk; ping and block stops produce nothing', () => {
  const chunks = translateAll(fixture, false);
  assert.ok(chunks.every((c) => c.usage === undefined));
  assert.deepEqual(translateStreamEvent({ type: 'ping' }, newStreamState(false)), []);
});

test('stream error events become UpstreamErrors (overloaded → rate_limited)', () => {
  assert.throws(() => translateStreamEvent({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, newStreamState(false)),
    (e: unknown) => e instanceof UpstreamError && e.kind === 'rate_limited');
});

test('request translation: system, alternating roles, tools, tool results, tool_choice, stop, json instruction, default max_tokens', () => {
  const out = toAnthropicRequest({
    model: 'c',
    messages: [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'weather in 北京?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'sunny' },
      { role: 'user', content: [{ type: 'text', text: 'and?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
    ],
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'w', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    tool_choice: 'required',
    stop: 'END',
    temperature: 1.5,
    response_format: { type: 'json_object' },
  }, 'claude-x', true);
  assert.equal(out.model, 'claude-x');
  assert.equal(out.max_tokens, 4096);
  assert.equal(out.stream, true);
  assert.match(out.system as string, /^You are helpful\.\n\nRespond only with a single valid JSON object/);
  const msgs = out.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>;
  assert.deepEqual(msgs.map((m) => m.role), ['user', 'assistant', 'user']);
  assert.deepEqual(msgs[1].content[0], { type: 'tool_use', id: 't1', name: 'get_weather', input: { city: '北京' } });
  assert.deepEqual(msgs[2].content[0], { type: 'tool_result', tool_use_id: 't1', content: 'sunny' });
  assert.deepEqual(msgs[2].content[2], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } });
  assert.deepEqual(out.tools, [{ name: 'get_weather', description: 'w', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }]);
  assert.deepEqual(out.tool_choice, { type: 'any' });
  assert.deepEqual(out.stop_sequences, ['END']);
  assert.equal(out.temperature, 1);
});

test('a whole Anthropic message becomes a completion with tool_calls and usage', () => {
  const c = fromAnthropicMessage({
    id: 'msg_1', model: 'claude', stop_reason: 'max_tokens', usage: { input_tokens: 3, output_tokens: 4, cache_read_input_tokens: 2 },
    content: [{ type: 'text', text: 'hi' }, { type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }],
  });
  assert.equal(c.choices[0].message.content, 'hi');
  assert.deepEqual(c.choices[0].message.tool_calls, [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }]);
  assert.equal(c.choices[0].finish_reason, 'length');
  assert.deepEqual(c.usage, { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
});

let up: MockUpstream;
before(async () => { up = await startMockUpstream(); });
after(async () => { await up.close(); });

test('over HTTP: x-api-key and anthropic-version headers, /v1/messages, stream and non-stream, no embeddings', async () => {
  const reg = createModelRegistry([{ name: 'claude', provider: 'anthropic', base_url: up.url, api_key: 'ak', model: 'claude-sonnet-4-5', zone: 'external', retries: 0 }]);
  const h = reg.get('claude')!;
  up.enqueue({ json: { id: 'msg_2', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: '你好' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 2 } } });
  const { completion } = await h.chat({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { signal: new AbortController().signal, requestId: 'r' });
  assert.equal(completion.choices[0].message.content, '你好');
  const rec = up.requests.at(-1)!;
  assert.equal(rec.path, '/v1/messages');
  assert.equal(rec.headers['x-api-key'], 'ak');
  assert.equal(rec.headers['anthropic-version'], '2023-06-01');
  assert.equal(rec.headers.authorization, undefined);
  assert.equal(rec.body.max_tokens, 4096);

  up.enqueue({ sse: fixture.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`), done: false });
  const { stream } = await h.chatStream({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } }, { signal: new AbortController().signal, requestId: 'r' });
  const chunks: ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  assert.equal(up.requests.at(-1)!.body.stream, true);
  assert.equal(chunks.at(-1)!.usage?.total_tokens, 561);

  up.enqueue({ status: 529, json: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
  await assert.rejects(h.chat({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { signal: new AbortController().signal, requestId: 'r' }),
    (e: unknown) => e instanceof UpstreamError && e.kind === 'server' && /Overloaded/.test(e.message));
  await assert.rejects(h.embeddings({ model: 'claude', input: 'x' }, { signal: new AbortController().signal, requestId: 'r' }),
    (e: unknown) => e instanceof UpstreamError && e.kind === 'client');
  await reg.close();
});
