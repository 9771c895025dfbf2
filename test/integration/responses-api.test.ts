import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';

const PHONE = '13800138000';
const ID_CARD = '11010519491231002X';
const RAW = [PHONE, ID_CARD, '张伟'];
const PROMPT = `联系人张伟，手机${PHONE}，身份证号${ID_CARD}，请核对。`;

/** The external upstream answers with the placeholders it received, as a model that repeats the values would. */
function placeholdersOf(req: RecordedRequest): string {
  return (JSON.stringify(req.body).match(/〔[^〕]+〕/g) ?? []).join(' ');
}

function assertNothingRaw(up: MockUpstream, from: number): void {
  for (const r of up.requests.slice(from)) {
    const text = JSON.stringify(r.body);
    for (const v of RAW) assert.ok(!text.includes(v), `"${v}" reached the external upstream: ${text.slice(0, 300)}`);
  }
}

describe('the Responses API and legacy Completions through the openai SDK', () => {
  let external: MockUpstream;
  let inhouse: MockUpstream;
  let yumen: TestYumen;
  let client: OpenAI;

  before(async () => {
    external = await startMockUpstream();
    inhouse = await startMockUpstream();
    external.setDefault((req) => ({ content: `已核对：${placeholdersOf(req)}` }));
    yumen = await startTestYumen({
      models: [
        { name: 'cloud', provider: 'openai-compatible', base_url: external.baseUrl, zone: 'external' },
        { name: 'inhouse', provider: 'openai-compatible', base_url: inhouse.baseUrl, model: 'qwen-up', zone: 'private' },
        { name: 'hidden', provider: 'openai-compatible', base_url: inhouse.baseUrl, zone: 'private' },
      ],
    });
    client = new OpenAI({ apiKey: await yumen.key('dept-r', { allowedModels: ['cloud', 'inhouse'] }), baseURL: yumen.baseURL, maxRetries: 0 });
  });
  after(async () => {
    await yumen.stop();
    await external.close();
    await inhouse.close();
  });

  it('responses.create: instructions and input become chat messages; the reply is a Response with output_text', async () => {
    inhouse.enqueue({ content: '你好，我是私有模型。' });
    const { data, response } = await client.responses.create({
      model: 'inhouse', instructions: '简洁回答', input: '你好', max_output_tokens: 50, temperature: 0.3,
    }).withResponse();
    assert.equal(data.object, 'response');
    assert.equal(data.status, 'completed');
    assert.equal(data.output_text, '你好，我是私有模型。');
    assert.equal(data.output[0].type, 'message');
    assert.ok(data.usage && data.usage.input_tokens > 0);
    const sent = inhouse.requests.at(-1)!;
    assert.equal(sent.path, '/v1/chat/completions');
    assert.deepEqual(sent.body.messages, [{ role: 'system', content: '简洁回答' }, { role: 'user', content: '你好' }]);
    assert.equal(sent.body.model, 'qwen-up');
    assert.equal(sent.body.max_tokens, 50);
    assert.equal(sent.body.temperature, 0.3);
    const id = response.headers.get('x-yumen-request-id');
    assert.ok(id?.startsWith('req_'));
    assert.equal(response.headers.get('x-request-id'), id, 'x-request-id is the Yumen request id');
    assert.equal((data as { _request_id?: string | null })._request_id, id, 'the SDK reads it');
  });

  it('personal data to an external model leaves pseudonymized and comes back restored in the Response', async () => {
    const before = external.requests.length;
    const { data, response } = await client.responses.create({ model: 'cloud', input: [{ role: 'user', content: [{ type: 'input_text', text: PROMPT }] }] }).withResponse();
    assertNothingRaw(external, before);
    assert.equal(response.headers.get('x-yumen-route'), 'external');
    assert.ok(Number(response.headers.get('x-yumen-redactions')) >= 2);
    for (const v of [PHONE, ID_CARD]) assert.ok(data.output_text.includes(v), `restored: ${data.output_text}`);
    assert.ok(!data.output_text.includes('〔'), data.output_text);
  });

  it('streams Response events, pseudonymized upstream and restored in the deltas and the final response', async () => {
    const before = external.requests.length;
    const stream = await client.responses.create({ model: 'cloud', input: PROMPT, stream: true });
    const types: string[] = [];
    let deltas = '';
    let final: OpenAI.Responses.Response | undefined;
    let seq = -1;
    for await (const event of stream) {
      types.push(event.type);
      assert.equal(event.sequence_number, seq + 1, 'sequence numbers count up');
      seq = event.sequence_number;
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.completed') final = event.response;
    }
    assertNothingRaw(external, before);
    assert.equal(external.requests.at(-1)!.body.stream, true);
    assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    for (const v of [PHONE, ID_CARD]) assert.ok(deltas.includes(v), `restored in the deltas: ${deltas}`);
    assert.ok(!deltas.includes('〔'), deltas);
    assert.ok(final, 'response.completed carries the response');
    assert.equal((final.output[0] as OpenAI.Responses.ResponseOutputMessage).content[0].type, 'output_text');
    assert.equal(((final.output[0] as OpenAI.Responses.ResponseOutputMessage).content[0] as { text: string }).text, deltas);
    assert.ok(final.usage && final.usage.output_tokens > 0, 'usage from the upstream');
  });

  it('function tools: translated for the upstream, calls returned as function_call items with arguments restored', async () => {
    external.enqueue({
      handle: (req, res) => {
        const placeholder = placeholdersOf(req).split(' ').find((p) => p.includes('手机')) ?? '';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({
          id: 'c1', object: 'chat.completion', created: 1, model: 'cloud-up',
          choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'send_sms', arguments: JSON.stringify({ to: placeholder }) } }] } }],
          usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
        }));
      },
    });
    const before = external.requests.length;
    const res = await client.responses.create({
      model: 'cloud', input: `给${PHONE}发短信`,
      tools: [{ type: 'function', name: 'send_sms', description: '发送短信', parameters: { type: 'object', properties: { to: { type: 'string' } } }, strict: false }],
      tool_choice: { type: 'function', name: 'send_sms' },
    });
    assertNothingRaw(external, before);
    const sent = external.requests.at(-1)!.body;
    assert.deepEqual(sent.tools, [{ type: 'function', function: { name: 'send_sms', description: '发送短信', parameters: { type: 'object', properties: { to: { type: 'string' } } }, strict: false } }]);
    assert.deepEqual(sent.tool_choice, { type: 'function', function: { name: 'send_sms' } });
    const call = res.output.find((o) => o.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    assert.equal(call.call_id, 'call_9');
    assert.equal(call.name, 'send_sms');
    assert.deepEqual(JSON.parse(call.arguments), { to: PHONE }, 'the placeholder in the arguments is restored');
  });

  it('a function_call and its output in the input become an assistant tool call and a tool message', async () => {
    inhouse.enqueue({ content: '已发送。' });
    await client.responses.create({
      model: 'inhouse',
      input: [
        { role: 'user', content: '发短信' },
        { type: 'function_call', call_id: 'call_1', name: 'send_sms', arguments: '{"to":"x"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
      ],
      tools: [{ type: 'function', name: 'send_sms', parameters: { type: 'object' }, strict: false }],
    });
    assert.deepEqual(inhouse.requests.at(-1)!.body.messages, [
      { role: 'user', content: '发短信' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send_sms', arguments: '{"to":"x"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ]);
  });

  it('structured output: text.format json_schema becomes response_format json_schema', async () => {
    inhouse.enqueue({ content: '{"ok":true}' });
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false };
    const res = await client.responses.create({ model: 'inhouse', input: '检查', text: { format: { type: 'json_schema', name: 'check', schema, strict: true } } });
    assert.deepEqual(inhouse.requests.at(-1)!.body.response_format, { type: 'json_schema', json_schema: { name: 'check', schema, strict: true } });
    assert.deepEqual(JSON.parse(res.output_text), { ok: true });
  });

  it('hostile: text in fields the translation does not know never reaches the upstream', async () => {
    const before = external.requests.length;
    const res = await client.responses.create({
      model: 'cloud', input: '你好', metadata: { note: PHONE },
      // @ts-expect-error fields the API does not define
      hidden_field: `身份证${ID_CARD}`, reasoning: { summary: PHONE },
    });
    assertNothingRaw(external, before);
    const sent = external.requests.at(-1)!.body;
    assert.deepEqual(Object.keys(sent).filter((k) => k !== 'stream').sort(), ['messages', 'model']);
    assert.deepEqual(res.metadata, { note: PHONE }, 'metadata is echoed to the client, not sent');
  });

  it('hostile: classified text in a Responses input is refused before any model is called', async () => {
    const before = external.requests.length;
    await assert.rejects(
      client.responses.create({ model: 'cloud', input: [{ role: 'user', content: [{ type: 'input_text', text: '「機密」 关于某项工作的通知' }] }] }),
      (err: unknown) => err instanceof OpenAI.PermissionDeniedError && (err as InstanceType<typeof OpenAI.APIError>).code === 'classified_content',
    );
    assert.equal(external.requests.length, before);
  });

  it('clear 400s for what cannot be served: state, hosted tools, unknown items, bad shapes', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ model: 'inhouse', input: 'x', previous_response_id: 'resp_1' }, 'previous_response_id'],
      [{ model: 'inhouse', input: 'x', tools: [{ type: 'web_search' }] }, 'tools[0].type'],
      [{ model: 'inhouse', input: [{ type: 'file_search_call', id: 'x' }] }, 'input[0].type'],
      // Inline files are read and guarded; a file by id names bytes the gateway never sees.
      [{ model: 'inhouse', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'input[0].content[0].file_data'],
      [{ model: 'inhouse', input: [{ role: 'user', content: [{ type: 'input_video', url: 'x' }] }] }, 'input[0].content[0].type'],
      [{ model: 'inhouse', input: [{ role: 'robot', content: 'x' }] }, 'input[0].role'],
      [{ model: 'inhouse', input: 'x', text: { format: { type: 'json_schema', name: 'a' } } }, 'text.format.schema'],
      [{ model: 'inhouse', input: [] }, 'input'],
    ];
    const before = inhouse.requests.length;
    for (const [body, param] of cases) {
      await assert.rejects(client.responses.create(body as never), (err: unknown) => {
        assert.ok(err instanceof OpenAI.BadRequestError, `${param}: ${String(err)}`);
        assert.equal((err as InstanceType<typeof OpenAI.BadRequestError>).param, param);
        return true;
      });
    }
    assert.equal(inhouse.requests.length, before, 'no upstream call for a bad request');
    await assert.rejects(client.responses.create({ model: 'hidden', input: 'x' }), OpenAI.NotFoundError);
  });

  it('completions.create: the prompt as a user message, pseudonymized toward an external model and restored', async () => {
    const before = external.requests.length;
    const res = await client.completions.create({ model: 'cloud', prompt: PROMPT, max_tokens: 40, stop: ['\n'] });
    assertNothingRaw(external, before);
    const sent = external.requests.at(-1)!.body;
    assert.equal(sent.messages.length, 1);
    assert.equal(sent.messages[0].role, 'user');
    assert.equal(sent.max_tokens, 40);
    assert.deepEqual(sent.stop, ['\n']);
    assert.equal(res.object, 'text_completion');
    assert.ok(res.id.startsWith('cmpl-'));
    for (const v of [PHONE, ID_CARD]) assert.ok(res.choices[0].text.includes(v), res.choices[0].text);
  });

  it('completions.create streams text chunks, restored, ending with [DONE]; echo puts the prompt first', async () => {
    const before = external.requests.length;
    const stream = await client.completions.create({ model: 'cloud', prompt: PROMPT, stream: true });
    let text = '';
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'text_completion');
      text += chunk.choices[0]?.text ?? '';
    }
    assertNothingRaw(external, before);
    for (const v of [PHONE, ID_CARD]) assert.ok(text.includes(v), text);
    inhouse.enqueue({ content: '续写' });
    const echoed = await client.completions.create({ model: 'inhouse', prompt: '从前', echo: true });
    assert.equal(echoed.choices[0].text, '从前续写');
  });

  it('completions: token-id prompts cannot be inspected and are refused; several prompts at once too', async () => {
    const before = external.requests.length;
    for (const prompt of [[1, 2, 3], [[1, 2]], ['a', 'b']]) {
      await assert.rejects(client.completions.create({ model: 'cloud', prompt: prompt as never }), (err: unknown) =>
        err instanceof OpenAI.BadRequestError && (err as InstanceType<typeof OpenAI.BadRequestError>).param === 'prompt');
    }
    assert.equal(external.requests.length, before);
  });

  it('GET /v1/models/{id}: a visible model is returned; unknown and forbidden answer alike 404', async () => {
    const m = await client.models.retrieve('inhouse');
    assert.equal(m.id, 'inhouse');
    assert.equal(m.object, 'model');
    const bodies: unknown[] = [];
    for (const id of ['hidden', 'no-such-model']) {
      const res = await fetch(`${yumen.baseURL}/models/${id}`, { headers: { authorization: `Bearer ${client.apiKey}` } });
      assert.equal(res.status, 404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'model_not_found');
      bodies.push({ ...body.error, message: body.error.message.replaceAll(id, 'ID') });
    }
    assert.deepEqual(bodies[0], bodies[1], 'a forbidden model is indistinguishable from a missing one');
  });

  it('x-request-id equals x-yumen-request-id on every /v1 response, errors included', async () => {
    for (const [path, auth] of [['/v1/models', true], ['/v1/models', false], ['/v1/nowhere', true], ['/v1/responses', true]] as const) {
      const res = await fetch(`${yumen.url}${path}`, {
        method: path === '/v1/responses' ? 'POST' : 'GET',
        headers: { ...(auth ? { authorization: `Bearer ${client.apiKey}` } : {}), 'content-type': 'application/json' },
        ...(path === '/v1/responses' ? { body: '{"model":"inhouse"}' } : {}),
      });
      await res.arrayBuffer();
      const id = res.headers.get('x-yumen-request-id');
      assert.ok(id, `${path}: x-yumen-request-id`);
      assert.equal(res.headers.get('x-request-id'), id, `${path} (${res.status})`);
    }
  });
});
