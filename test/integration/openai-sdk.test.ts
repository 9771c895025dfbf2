import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';

describe('the official openai SDK against Yumen', () => {
  let up: MockUpstream;
  let yumen: TestYumen;
  let client: OpenAI;

  before(async () => {
    up = await startMockUpstream();
    yumen = await startTestYumen({
      models: [
        { name: 'priv-chat', provider: 'openai-compatible', base_url: up.baseUrl, model: 'upstream-model', zone: 'private' },
        { name: 'priv-embed', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private' },
        { name: 'slow', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private', retries: 0, timeouts: { first_byte_ms: 300 } },
        { name: 'hidden', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private' },
      ],
    });
    client = new OpenAI({ apiKey: await yumen.key('dept-a', { allowedModels: ['priv-chat', 'priv-embed', 'slow'] }), baseURL: yumen.baseURL, maxRetries: 0 });
  });
  after(async () => {
    await yumen.stop();
    await up.close();
  });

  it('lists only the models this key may use', async () => {
    const models = [];
    for await (const m of client.models.list()) models.push(m.id);
    assert.deepEqual(models.sort(), ['priv-chat', 'priv-embed', 'slow']);
  });

  it('answers a plain chat and passes parameters through faithfully', async () => {
    up.enqueue({ content: '你好，我是私有模型。' });
    const res = await client.chat.completions.create({
      model: 'priv-chat',
      messages: [{ role: 'user', content: '你好' }],
      temperature: 0.2, max_tokens: 64, stop: ['\n\n'], seed: 7,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
    });
    assert.equal(res.choices[0].message.content, '你好，我是私有模型。');
    const sent = up.requests.at(-1)!.body;
    assert.equal(sent.model, 'upstream-model');
    assert.equal(sent.temperature, 0.2);
    assert.equal(sent.max_tokens, 64);
    assert.deepEqual(sent.stop, ['\n\n']);
    assert.equal(sent.seed, 7);
    assert.equal(sent.response_format.json_schema.name, 'x');
  });

  it('streams with usage', async () => {
    up.enqueue({ stream: ['数据', '不出', '域'] });
    const stream = await client.chat.completions.create({ model: 'priv-chat', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, '数据不出域');
    assert.ok(usage, 'the final usage chunk came through');
    assert.equal(up.requests.at(-1)!.body.stream_options.include_usage, true);
  });

  it('passes tools through and returns tool calls', async () => {
    up.enqueue({
      json: {
        id: 'c1', object: 'chat.completion', created: 1, model: 'upstream-model',
        choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"兰州"}' } }] } }],
        usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
      },
    });
    const res = await client.chat.completions.create({
      model: 'priv-chat',
      messages: [{ role: 'user', content: '兰州天气' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'auto',
    });
    assert.equal((res.choices[0].message.tool_calls?.[0] as { function: { arguments: string } }).function.arguments, '{"city":"兰州"}');
    assert.equal(up.requests.at(-1)!.body.tools[0].function.name, 'get_weather');
    assert.equal(up.requests.at(-1)!.body.tool_choice, 'auto');
  });

  it('creates embeddings', async () => {
    const res = await client.embeddings.create({ model: 'priv-embed', input: ['公文', '合同'] });
    assert.equal(res.data.length, 2);
    assert.ok(Array.isArray(res.data[0].embedding));
  });

  it('maps errors onto the SDK error classes', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), OpenAI.NotFoundError);
    await assert.rejects(client.chat.completions.create({ model: 'hidden', messages: [{ role: 'user', content: 'x' }] }), OpenAI.NotFoundError);
    const anonymous = new OpenAI({ apiKey: 'ym-wrong', baseURL: yumen.baseURL, maxRetries: 0 });
    await assert.rejects(anonymous.models.list(), OpenAI.AuthenticationError);
    await assert.rejects(client.chat.completions.create({ model: 'priv-chat', messages: [] }), (err: unknown) => err instanceof OpenAI.BadRequestError && (err as InstanceType<typeof OpenAI.BadRequestError>).param === 'messages');
    up.enqueue({ status: 500 });
    await assert.rejects(client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => err instanceof OpenAI.APIError && (err as InstanceType<typeof OpenAI.APIError>).status === 502);
    up.enqueue({ hang: true });
    await assert.rejects(client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => err instanceof OpenAI.APIError && (err as InstanceType<typeof OpenAI.APIError>).status === 504);
  });
});
