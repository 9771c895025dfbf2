import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponsesStream, chatToResponse, resolveItemReferences, responsesToChat, type ResponsesRequest } from '../../src/gateway/responses.ts';
import { ResponseItemCache } from '../../src/gateway/response-items.ts';
import { chatToCompletion, chunkToCompletion, completionsToChat } from '../../src/gateway/completions.ts';
import type { ChatCompletionChunk } from '../../src/providers/index.ts';
import { YumenError } from '../../src/util/errors.ts';
import { mulberry32 } from '../helpers/random.ts';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1, model: 'up' };
const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: string | null = null): ChatCompletionChunk =>
  ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });

test('responsesToChat: instructions first, items in order, a function call joins the assistant turn before it', () => {
  const chat = responsesToChat({
    model: 'm', instructions: '简洁',
    input: [
      { role: 'user', content: [{ type: 'input_text', text: '看图' }, { type: 'input_image', image_url: 'data:image/png;base64,AA', detail: 'low' },
        { type: 'input_file', filename: '纪要.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: '我查一下' }] },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
      { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{"a":1}' },
      { type: 'reasoning', id: 'rs_1', summary: [] },
      { type: 'function_call_output', call_id: 'c1', output: '1' },
      { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: '2' }] },
    ],
  });
  assert.deepEqual(chat.messages, [
    { role: 'system', content: '简洁' },
    { role: 'user', content: [{ type: 'text', text: '看图' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA', detail: 'low' } },
      { type: 'file', file: { filename: '纪要.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } }] },
    { role: 'assistant', content: [{ type: 'text', text: '我查一下' }], tool_calls: [
      { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } },
      { id: 'c2', type: 'function', function: { name: 'g', arguments: '{"a":1}' } },
    ] },
    { role: 'tool', tool_call_id: 'c1', content: '1' },
    { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: '2' }] },
  ]);
});

test('responsesToChat: tools, tool_choice, format, limits and stream map onto chat fields', () => {
  const chat = responsesToChat({
    model: 'm', input: 'x', stream: true, max_output_tokens: 9, temperature: 0, top_p: 0.5, user: 'u1', parallel_tool_calls: false,
    tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
    tool_choice: 'required', text: { format: { type: 'json_object' } },
  });
  assert.deepEqual(chat, {
    model: 'm', messages: [{ role: 'user', content: 'x' }],
    tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
    tool_choice: 'required', parallel_tool_calls: false, response_format: { type: 'json_object' },
    max_tokens: 9, temperature: 0, top_p: 0.5, user: 'u1', stream: true, stream_options: { include_usage: true },
  });
});

test('hostile: fields the translation does not know, whatever their name, never reach the chat request', () => {
  const rand = mulberry32(7);
  const req: ResponsesRequest = { model: 'm', input: [{ role: 'user', content: 'hi', secret_note: '13800138000' }] };
  for (let i = 0; i < 50; i++) req[`f${Math.floor(rand() * 1e9).toString(36)}`] = `身份证11010519491231002X #${i}`;
  req.metadata = { phone: '13800138000' };
  req.reasoning = { effort: 'low', note: '13800138000' };
  req.include = ['13800138000'];
  const text = JSON.stringify(responsesToChat(req));
  assert.ok(!text.includes('13800138000') && !text.includes('11010519491231002X'), text);
});

test('responsesToChat refuses what it cannot serve, naming the field', () => {
  const cases: Array<[Partial<ResponsesRequest>, string]> = [
    [{ previous_response_id: 'r' }, 'previous_response_id'],
    [{ background: true }, 'background'],
    [{ input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id'],
    [{ input: [{ role: 'user', content: 5 }] }, 'input[0].content'],
    [{ tool_choice: { type: 'file_search' } }, 'tool_choice'],
    [{ text: { format: { type: 'yaml' } } }, 'text.format.type'],
    // A file by id names bytes the gateway never sees, so it could not be read and guarded.
    [{ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-abc' }] }] }, 'input[0].content[0].file_data'],
  ];
  for (const [patch, param] of cases) {
    assert.throws(() => responsesToChat({ model: 'm', input: 'x', ...patch } as ResponsesRequest), (err: unknown) =>
      err instanceof YumenError && err.status === 400 && err.param === param, param);
  }
});

test('chatToResponse: text and tool calls become output items; a length stop is incomplete', () => {
  const res = chatToResponse({ model: 'm', input: 'x', metadata: { a: 'b' } }, {
    id: 'c', object: 'chat.completion', created: 5, model: 'up',
    choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant', content: '部分', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] } }],
    usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
  });
  assert.equal(res.status, 'incomplete');
  assert.deepEqual(res.incomplete_details, { reason: 'max_output_tokens' });
  assert.deepEqual(res.output.map((o) => o.type), ['message', 'function_call']);
  assert.equal(res.output_text, '部分');
  assert.deepEqual(res.usage, { input_tokens: 3, input_tokens_details: { cached_tokens: 0 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 7 });
  assert.deepEqual(res.metadata, { a: 'b' });
  assert.equal(res.created_at, 5);
});

test('ResponsesStream: text then a tool call in fragments, numbered events, a final response matching the deltas', () => {
  const s = new ResponsesStream({ model: 'm', input: 'x' });
  const events = [
    ...s.start(),
    ...s.push(chunk({ role: 'assistant', content: '' })),
    ...s.push(chunk({ content: '好的，' })),
    ...s.push(chunk({ content: '马上' })),
    ...s.push(chunk({ tool_calls: [{ index: 0, id: 'call_7', type: 'function', function: { name: 'send', arguments: '' } }] })),
    ...s.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"to":' } }] })),
    ...s.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] })),
    ...s.push(chunk({}, 'tool_calls')),
    ...s.push({ ...base, choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } }),
    ...s.end(),
  ];
  assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i));
  assert.deepEqual(events.map((e) => e.type), [
    'response.created', 'response.in_progress',
    'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.delta',
    'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.delta',
    'response.output_text.done', 'response.content_part.done', 'response.output_item.done',
    'response.function_call_arguments.done', 'response.output_item.done', 'response.completed',
  ]);
  const done = events.at(-1)!.response as ReturnType<typeof chatToResponse>;
  assert.equal(done.status, 'completed');
  assert.equal(done.output_text, '好的，马上');
  assert.deepEqual(done.output[1], { type: 'function_call', id: (done.output[1] as { id: string }).id, call_id: 'call_7', name: 'send', arguments: '{"to":"x"}', status: 'completed' });
  assert.equal(done.usage?.total_tokens, 5);
  // The created event's snapshot is not changed by what came later.
  assert.deepEqual((events[0].response as { output: unknown[] }).output, []);
});

test('ResponsesStream: an empty upstream stream still opens and completes; a length stop ends incomplete', () => {
  const empty = new ResponsesStream({ model: 'm', input: 'x' });
  assert.deepEqual(empty.end().map((e) => e.type), ['response.created', 'response.in_progress', 'response.completed']);
  const cut = new ResponsesStream({ model: 'm', input: 'x' });
  cut.push(chunk({ content: 'a' }));
  cut.push(chunk({}, 'length'));
  const last = cut.end().at(-1)!;
  assert.equal(last.type, 'response.incomplete');
  assert.equal(cut.error({ error: { message: 'boom', code: 'upstream_error', type: 'api_error', param: null } }).type, 'error');
});

test('legacy completions: prompt → one user message; echo once per choice; ids as cmpl-', () => {
  const req = { model: 'm', prompt: ['从前'], echo: true, n: 2, max_tokens: 5, stop: '\n', stream: true, stream_options: { include_usage: true } };
  assert.deepEqual(completionsToChat(req), {
    model: 'm', messages: [{ role: 'user', content: '从前' }], max_tokens: 5, n: 2, stop: '\n', stream: true, stream_options: { include_usage: true },
  });
  const echoed = new Set<number>();
  const two = (text: string) => ({ ...base, choices: [0, 1].map((index) => ({ index, delta: { content: text }, finish_reason: null })) });
  assert.deepEqual(chunkToCompletion(req, two('有'), echoed).choices.map((c) => c.text), ['从前有', '从前有']);
  assert.deepEqual(chunkToCompletion(req, two('座'), echoed).choices.map((c) => c.text), ['座', '座']);
  const whole = chatToCompletion({ model: 'm', prompt: 'p' }, {
    id: 'chatcmpl-9', object: 'chat.completion', created: 1, model: 'up',
    choices: [{ index: 0, message: { role: 'assistant', content: '答' }, finish_reason: 'stop' }],
  });
  assert.equal(whole.id, 'cmpl-9');
  assert.deepEqual(whole.choices, [{ index: 0, text: '答', logprobs: null, finish_reason: 'stop' }]);
  for (const bad of [{ logprobs: 1 }, { best_of: 3 }, { suffix: 'x' }, { prompt: [1, 2] }]) {
    assert.throws(() => completionsToChat({ model: 'm', prompt: 'p', ...bad } as never), YumenError);
  }
});

test('item references resolve to the items of recent responses of the same key only, until they expire', () => {
  let now = 0;
  const cache = new ResponseItemCache({ maxItems: 3, ttlMs: 1000, now: () => now });
  const res = chatToResponse({ model: 'm', input: 'x' }, {
    id: 'c', object: 'chat.completion', created: 1, model: 'up',
    choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: '先查', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"q":1}' } }] } }],
  });
  cache.remember('key-a', res.output);
  const [msg, fc] = res.output.map((o) => o.id);
  const req: ResponsesRequest = { model: 'm', input: [{ type: 'item_reference', id: msg }, { type: 'item_reference', id: fc }, { type: 'function_call_output', call_id: 'call_1', output: 'ok' }] };
  const chat = responsesToChat(resolveItemReferences(req, (id) => cache.lookup('key-a', id)));
  assert.deepEqual(chat.messages, [
    { role: 'assistant', content: [{ type: 'text', text: '先查' }], tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"q":1}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
  ]);
  // Hostile: another key cannot read them, and nothing lives past its time.
  assert.throws(() => resolveItemReferences(req, (id) => cache.lookup('key-b', id)), (err: unknown) => err instanceof YumenError && err.param === 'input[0].id');
  now = 1000;
  assert.equal(cache.size, 2);
  cache.remember('key-a', []);
  assert.equal(cache.size, 0, 'expired entries are dropped at the next remember, read or not');
  assert.equal(cache.lookup('key-a', fc), undefined);
  // Bounded: the oldest go first.
  for (let i = 0; i < 4; i++) cache.remember('key-a', [{ type: 'function_call', id: `fc_${i}`, call_id: `c${i}`, name: 'f', arguments: '{}', status: 'completed' }]);
  assert.equal(cache.lookup('key-a', 'fc_0'), undefined);
  assert.ok(cache.lookup('key-a', 'fc_3'));
});
