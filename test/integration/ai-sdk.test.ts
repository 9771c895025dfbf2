import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';

const PHONE = '13800138000';

function placeholdersOf(req: RecordedRequest): string {
  return (JSON.stringify(req.body).match(/〔[^〕]+〕/g) ?? []).join(' ');
}

/** The Vercel AI SDK's default OpenAI provider speaks the Responses API: it works against Yumen unchanged. */
describe('the AI SDK default OpenAI provider (Responses API) against Yumen', () => {
  let up: MockUpstream;
  let yumen: TestYumen;
  let openai: ReturnType<typeof createOpenAI>;
  const urls: string[] = [];
  const sent: string[] = [];

  before(async () => {
    up = await startMockUpstream();
    up.setDefault((req) => ({ content: `收到 ${placeholdersOf(req)}` }));
    yumen = await startTestYumen({ models: [{ name: 'cloud', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'external' }] });
    const apiKey = await yumen.key('dept-ai');
    openai = createOpenAI({ baseURL: yumen.baseURL, apiKey, fetch: (input, init) => {
      urls.push(String(input));
      sent.push(typeof init?.body === 'string' ? init.body : '');
      return fetch(input, init);
    } });
  });
  after(async () => {
    await yumen.stop();
    await up.close();
  });

  it('generateText goes to /v1/responses; the number leaves pseudonymized and comes back restored', async () => {
    const r = await generateText({ model: openai('cloud'), prompt: `手机${PHONE}` });
    assert.equal(new URL(urls.at(-1)!).pathname, '/v1/responses');
    assert.ok(!JSON.stringify(up.requests.at(-1)!.body).includes(PHONE));
    assert.equal(r.text, `收到 ${PHONE}`);
  });

  it('streamText streams the restored text', async () => {
    const s = streamText({ model: openai('cloud'), prompt: `手机${PHONE}` });
    let text = '';
    for await (const d of s.textStream) text += d;
    assert.equal(new URL(urls.at(-1)!).pathname, '/v1/responses');
    assert.equal(text, `收到 ${PHONE}`);
  });

  it('generateObject sends a json_schema format and parses the object', async () => {
    up.enqueue({ content: '{"ok":true}' });
    const o = await generateObject({
      model: openai('cloud'), prompt: '检查',
      schema: jsonSchema<{ ok: boolean }>({ type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false }),
    });
    assert.deepEqual(o.object, { ok: true });
    assert.equal(up.requests.at(-1)!.body.response_format.type, 'json_schema');
  });

  it('a multi-step tool loop: the SDK refers back to the call by item_reference, and the loop completes', async () => {
    const toolCall = (req: RecordedRequest) => ({
      json: {
        id: 'c', object: 'chat.completion', created: 1, model: 'cloud',
        choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_5', type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ phone: placeholdersOf(req) }) } }] } }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      },
    });
    up.enqueue({ handle: (req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(toolCall(req).json)); } });
    up.enqueue({ content: '查到了' });
    const seen: string[] = [];
    const before = up.requests.length;
    const r = await generateText({
      model: openai('cloud'), prompt: `查一下${PHONE}`, stopWhen: stepCountIs(3),
      tools: { lookup: tool({ inputSchema: jsonSchema<{ phone: string }>({ type: 'object', properties: { phone: { type: 'string' } }, required: ['phone'] }), execute: async ({ phone }) => { seen.push(phone); return `${phone} 属于张三`; } }) },
    });
    assert.deepEqual(seen, [PHONE], 'the tool ran with the restored number');
    const replay = JSON.parse(sent.at(-1)!) as { input: Array<{ type?: string }> };
    assert.ok(replay.input.some((item) => item.type === 'item_reference'), `the SDK sent an item_reference: ${sent.at(-1)}`);
    assert.equal(r.text, '查到了');
    const second = up.requests[before + 1].body;
    assert.ok(!JSON.stringify(second).includes(PHONE), 'the replayed call and its result are pseudonymized again');
    assert.deepEqual(second.messages.map((m: { role: string }) => m.role), ['user', 'assistant', 'tool']);
    assert.equal(second.messages[1].tool_calls[0].id, 'call_5');
  });

  it('tool calls come back with their arguments restored', async () => {
    up.enqueue({
      handle: (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({
          id: 'c', object: 'chat.completion', created: 1, model: 'cloud',
          choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'sms', arguments: JSON.stringify({ to: placeholdersOf(req) }) } }] } }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }));
      },
    });
    const r = await generateText({
      model: openai('cloud'), prompt: `给${PHONE}发短信`,
      tools: { sms: tool({ description: '发送短信', inputSchema: jsonSchema<{ to: string }>({ type: 'object', properties: { to: { type: 'string' } }, required: ['to'] }) }) },
    });
    assert.ok(!JSON.stringify(up.requests.at(-1)!.body).includes(PHONE));
    assert.deepEqual(r.toolCalls.map((c) => [c.toolName, c.input]), [['sms', { to: PHONE }]]);
  });
});
