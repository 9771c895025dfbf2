/**
 * The promise of issue 10, field by field: personal data, a secret and classified text are put in every
 * field of the chat and embeddings request types — the field list generated from the same shape the
 * outbound builder uses, not picked by hand — and a recording upstream (a real HTTP server) proves that
 * nothing raw reaches an external-zone model, that a private model gets the data as is (secrets excepted:
 * the default policy pseudonymizes those everywhere), and that the client gets its values back.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { CHAT_REQUEST_SHAPE, EMBEDDINGS_REQUEST_SHAPE, type Shape } from '../../src/gateway/index.ts';

const NAME = '张伟';
const PHONE = '13800138000';
const ID_CARD = '11010519491231002X';
const SECRET = 'AKIAIOSFODNN7EXAMPLE';
const PERSONAL = [PHONE, ID_CARD];
const RAW = [NAME, PHONE, ID_CARD, SECRET];
const TEXT = `联系人：${NAME}，手机${PHONE}，身份证${ID_CARD}，密钥${SECRET}`;
const CLASSIFIED = '本文件为机密★10年，不得外传';

type Step = { field: string } | { item: true };
interface Leaf { path: Step[]; kind: 'text' | 'value' | 'json'; label: string }

/** Every leaf of a shape, with the path that reaches it (each `either` alternative separately). */
function leaves(shape: Shape, path: Step[] = [], label = ''): Leaf[] {
  switch (shape.kind) {
    case 'text': case 'value': case 'json':
      return [{ path, kind: shape.kind, label: label || '(body)' }];
    case 'object':
      return Object.entries(shape.fields).flatMap(([k, s]) => leaves(s, [...path, { field: k }], label ? `${label}.${k}` : k));
    case 'array':
      return leaves(shape.of, [...path, { item: true }], `${label}[]`);
    case 'either':
      return [shape.string, shape.array, shape.object].filter((s): s is Shape => s !== undefined).flatMap((s) => leaves(s, path, label));
  }
}

/**
 * The fields the edge requires beside the one under test (the API's own required fields), by the
 * container they complete. Only these are hand-written; which fields get sensitive text is generated.
 */
const REQUIRED: Record<string, unknown> = {
  'messages[]': { role: 'user' },
  'messages[].tool_calls[]': { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } },
  'messages[].tool_calls[].function': { name: 'lookup', arguments: '{}' },
  'messages[].content[]': { type: 'text', text: '请看' },
  tools: [],
  'tools[]': { type: 'function', function: { name: 'lookup' } },
  'tools[].function': { name: 'lookup' },
  'functions[]': { name: 'lookup' },
  response_format: { type: 'json_schema', json_schema: { name: 'answer' } },
  prediction: { type: 'content' },
};

/** What goes in the leaf: text, JSON text for arguments, or a JSON value with sensitive keys and strings. */
function payload(leaf: Leaf, text: string): unknown {
  const last = leaf.path.at(-1);
  if (leaf.kind === 'json') return { note: text, [PHONE]: { [ID_CARD]: [text] } };
  if (last && 'field' in last && last.field === 'arguments') return JSON.stringify({ note: text, [PHONE]: 1 });
  return text;
}

/** A request whose only sensitive content sits at `leaf`. */
function requestWith(base: Record<string, unknown>, leaf: Leaf, text: string): Record<string, unknown> {
  const body: Record<string, unknown> = structuredClone(base);
  let container: any = body;
  let label = '';
  leaf.path.forEach((step, i) => {
    const last = i === leaf.path.length - 1;
    const nextLabel = 'item' in step ? `${label}[]` : label ? `${label}.${step.field}` : step.field;
    const value = last ? payload(leaf, text) : leaf.path[i + 1] && 'item' in leaf.path[i + 1] ? [] : structuredClone(REQUIRED[nextLabel] ?? {});
    if ('item' in step) {
      const item = last ? value : structuredClone(REQUIRED[nextLabel] ?? value);
      container.length = 0;
      container.push(item);
      container = item;
    } else {
      container[step.field] = value;
      container = value;
    }
    label = nextLabel;
  });
  return body;
}

/** Every string of a JSON value, keys included. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(k); strings(x, out); }
  return out;
}

/** The echo upstream: replies with every string it received that carries a placeholder, in content, a tool call and a legacy function call. */
function echo(req: RecordedRequest) {
  if (!req.path.includes('/chat/completions')) return {};
  const marked = strings(req.body).filter((s) => s.includes('〔')).join('\n');
  const message: Record<string, unknown> = {
    role: 'assistant', content: `收到：${marked}`,
    tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ echo: marked }) } }],
    function_call: { name: 'lookup', arguments: JSON.stringify({ echo: marked }) },
  };
  if (req.body?.stream) return { stream: [`收到：`, marked.slice(0, 5), marked.slice(5)] };
  return { json: { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } };
}

describe('every field of the request types is sealed (generated from the request shape)', () => {
  let external: MockUpstream;
  let inside: MockUpstream;
  let yumen: TestYumen;
  let key: string;
  const post = async (path: string, body: unknown) => {
    const res = await request(`${yumen.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  };

  before(async () => {
    external = await startMockUpstream();
    inside = await startMockUpstream();
    external.setDefault(echo);
    inside.setDefault(echo);
    yumen = await startTestYumen({
      models: [
        { name: 'cloud', provider: 'openai-compatible', base_url: external.baseUrl, zone: 'external' },
        { name: 'inhouse', provider: 'openai-compatible', base_url: inside.baseUrl, zone: 'private' },
      ],
      // The field walk is under test: a sound (input_audio.data, here text), which no one reads, may go out as the
      // walk leaves it; what the policy does with unread attachments is test/integration/attachments-path.test.ts.
      policy: { unreadable_attachments: 'allow' },
    });
    key = await yumen.key('财政局');
  });
  after(async () => {
    await yumen.stop();
    await external.close();
    await inside.close();
  });

  const chatLeaves = leaves(CHAT_REQUEST_SHAPE).filter((l) => !(l.path.length === 1 && 'field' in l.path[0] && l.path[0].field === 'model'));
  const base = { model: 'cloud', messages: [{ role: 'user', content: '你好' }] };

  it('generates a case for every text-bearing field of the chat request type', () => {
    const labels = new Set(chatLeaves.map((l) => l.label));
    // A few the issue names, to prove the generator reaches them (the list itself comes from the shape).
    for (const l of ['tools[].function.description', 'tools[].function.parameters', 'response_format.json_schema.schema', 'stop', 'stop[]', 'metadata', 'user',
      'messages[].function_call.arguments', 'messages[].content[].image_url.url', 'prediction.content', 'functions[].description']) {
      assert.ok(labels.has(l), `generated fields include ${l}`);
    }
    assert.ok(chatLeaves.length >= 60, `${chatLeaves.length} fields`);
  });

  for (const stream of [false, true]) {
    it(`chat${stream ? ' (streamed)' : ''}: nothing raw reaches the external model from any field, and the client gets its values back`, async () => {
      const problems: string[] = [];
      for (const leaf of chatLeaves) {
        if (stream && leaf.label === 'stream') continue; // the streamed case sets it
        const body = { ...requestWith(base, leaf, TEXT), ...(stream ? { stream: true } : {}) };
        const before = external.requests.length;
        const res = await post('/v1/chat/completions', body);
        if (res.status === 400 && leaf.kind === 'value') continue; // a typed field refused the text at the edge: nothing was sent
        if (res.status !== 200) { problems.push(`${leaf.label}: HTTP ${res.status} ${res.text.slice(0, 200)}`); continue; }
        const sent = external.requests.slice(before);
        assert.equal(sent.length, 1, leaf.label);
        const seen = JSON.stringify(sent[0].body);
        for (const v of RAW) if (seen.includes(v)) problems.push(`${leaf.label}: "${v}" reached the external model`);
        if (!seen.includes('〔')) problems.push(`${leaf.label}: the field did not arrive pseudonymized: ${seen.slice(0, 200)}`);
        if (res.headers['x-yumen-route'] !== 'external' || Number(res.headers['x-yumen-redactions']) < 1) problems.push(`${leaf.label}: headers ${res.headers['x-yumen-route']} ${res.headers['x-yumen-redactions']}`);
        // The reply echoed the placeholders: the client reads its own values again, never a placeholder.
        if (!res.text.includes(PHONE) || /〔[^〕]*_\d+〕/.test(stream ? streamedText(res.text) : res.text)) problems.push(`${leaf.label}: reply not restored: ${res.text.slice(0, 300)}`);
      }
      assert.deepEqual(problems, []);
    });
  }

  it('chat: a private model gets every field as sent (secrets pseudonymized, as the default policy says)', async () => {
    const problems: string[] = [];
    for (const leaf of chatLeaves) {
      const body = requestWith({ ...base, model: 'inhouse' }, leaf, TEXT);
      const before = inside.requests.length;
      const res = await post('/v1/chat/completions', body);
      if (res.status === 400 && leaf.kind === 'value') continue;
      if (res.status !== 200) { problems.push(`${leaf.label}: HTTP ${res.status}`); continue; }
      const seen = JSON.stringify(inside.requests.slice(before)[0].body);
      for (const v of PERSONAL) if (!seen.includes(v)) problems.push(`${leaf.label}: "${v}" did not reach the private model as is`);
      if (seen.includes(SECRET)) problems.push(`${leaf.label}: the secret reached the private model`);
      if (!res.text.includes(SECRET) && res.text.includes('〔')) problems.push(`${leaf.label}: reply not restored`);
    }
    assert.deepEqual(problems, []);
  });

  it('chat: classified text in any field is refused with 403 before any model is called', async () => {
    const problems: string[] = [];
    const before = external.requests.length + inside.requests.length;
    for (const leaf of chatLeaves) {
      for (const model of ['cloud', 'inhouse']) {
        const res = await post('/v1/chat/completions', requestWith({ ...base, model }, leaf, CLASSIFIED));
        if (res.status === 400 && leaf.kind === 'value') continue;
        const error = JSON.parse(res.text).error;
        if (res.status !== 403 || error?.code !== 'classified_content' || res.headers['x-yumen-level'] !== 'classified') problems.push(`${leaf.label} → ${model}: HTTP ${res.status} ${res.headers['x-yumen-level']}`);
        else if (!(error.findings?.classified_marking >= 1) || res.text.includes('机密★10年')) problems.push(`${leaf.label}: the refusal must name types and counts, never the value`);
      }
    }
    assert.deepEqual(problems, []);
    assert.equal(external.requests.length + inside.requests.length, before, 'no model was called');
  });

  it('chat: unknown fields are dropped toward external models and passed (inspected) to private ones', async () => {
    const hidden = { ...base, x_extension: TEXT, messages: [{ role: 'user', content: [{ type: 'input_text', text: '看附件', hidden: TEXT }], stash: TEXT }] };
    let before = external.requests.length;
    const res = await post('/v1/chat/completions', hidden);
    assert.equal(res.status, 200);
    const sent = external.requests.slice(before)[0].body;
    assert.equal(sent.x_extension, undefined);
    assert.equal(sent.messages[0].stash, undefined);
    assert.equal(sent.messages[0].content[0].hidden, undefined);
    assert.equal(sent.messages[0].content[0].text, '看附件', 'known fields of an unknown part type still go, inspected');
    before = inside.requests.length;
    assert.equal((await post('/v1/chat/completions', { ...hidden, model: 'inhouse' })).status, 200);
    const inner = inside.requests.slice(before)[0].body;
    assert.ok(inner.x_extension.includes(PHONE) && !inner.x_extension.includes(SECRET), 'passed to the private model, inspected like any field');
    assert.ok(inner.messages[0].stash.includes(ID_CARD));
  });

  it('chat: a mobile number split across two messages or two parts is caught, and each half pseudonymized', async () => {
    for (const messages of [
      [{ role: 'user', content: `客户电话是${PHONE.slice(0, 5)}` }, { role: 'user', content: `${PHONE.slice(5)}，请回电` }],
      [{ role: 'user', content: [{ type: 'text', text: `客户电话是${PHONE.slice(0, 7)}` }, { type: 'text', text: `${PHONE.slice(7)}，请回电` }] }],
    ]) {
      const before = external.requests.length;
      const res = await post('/v1/chat/completions', { model: 'cloud', messages });
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-yumen-level'], 'sensitive');
      const seen = JSON.stringify(external.requests.slice(before)[0].body.messages);
      assert.ok(!seen.includes(PHONE.slice(0, 5)) && !seen.includes(PHONE.slice(7)), `no half left: ${seen}`);
      assert.ok(res.text.includes(PHONE.slice(0, 5)), 'the client reads its halves back');
    }
  });

  const embeddingLeaves = leaves(EMBEDDINGS_REQUEST_SHAPE).filter((l) => l.kind !== 'value' || l.path.length === 1);
  it('embeddings: every text field is inspected; external models get placeholders, private ones the text', async () => {
    const problems: string[] = [];
    for (const leaf of embeddingLeaves) {
      if (leaf.path.length === 1 && 'field' in leaf.path[0] && leaf.path[0].field === 'model') continue;
      for (const model of ['cloud', 'inhouse']) {
        const up = model === 'cloud' ? external : inside;
        const before = up.requests.length;
        const body = requestWith({ model, input: '你好' }, leaf, TEXT);
        const res = await post('/v1/embeddings', body);
        if (res.status === 400 && leaf.kind === 'value') continue;
        if (res.status !== 200) { problems.push(`${leaf.label} → ${model}: HTTP ${res.status} ${res.text.slice(0, 200)}`); continue; }
        const seen = JSON.stringify(up.requests.slice(before)[0].body);
        if (model === 'cloud') for (const v of RAW) { if (seen.includes(v)) problems.push(`${leaf.label}: "${v}" reached the external model`); }
        else for (const v of PERSONAL) if (!seen.includes(v)) problems.push(`${leaf.label}: "${v}" did not reach the private model`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('embeddings: token ids cannot be inspected — 400 toward an external model, accepted by a private one', async () => {
    const before = external.requests.length;
    for (const input of [[1, 2, 3], [[1, 2], [3]]]) {
      const res = await post('/v1/embeddings', { model: 'cloud', input });
      assert.equal(res.status, 400);
      assert.equal(JSON.parse(res.text).error.param, 'input');
    }
    assert.equal(external.requests.length, before);
    assert.equal((await post('/v1/embeddings', { model: 'inhouse', input: [1, 2, 3] })).status, 200);
    const classified = await post('/v1/embeddings', { model: 'inhouse', input: [CLASSIFIED] });
    assert.equal(classified.status, 403);
    assert.equal(classified.headers['x-yumen-level'], 'classified');
  });
});

/** The text content of an SSE reply. */
function streamedText(sse: string): string {
  return sse.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6))).map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
}
