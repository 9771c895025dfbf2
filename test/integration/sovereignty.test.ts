import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { DEFAULTS } from '../../src/config/index.ts';
import { startYumen } from '../../src/server/bootstrap.ts';

/** Values that must never reach an external model, and the evasive spellings of them. */
const PHONE = '13800138000';
const ID_CARD = '11010519491231002X';
const NAME = '张伟';
const PASSWORD = 'Abc12345!xyz';
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const FULL_WIDTH_PHONE = '１３９１２３４５６７８';
const ZERO_WIDTH_PHONE = '137\u200b1234\u200b5678';
const SPACED_PHONE = '136 1234 5678';
const FORBIDDEN = [PHONE, ID_CARD, NAME, PASSWORD, AWS_KEY, FULL_WIDTH_PHONE, ZERO_WIDTH_PHONE, SPACED_PHONE, '13912345678', '13712345678', '13612345678'];

/** The echo upstream answers with the last user message, so restored replies can be compared with what was sent. */
function lastUserText(req: RecordedRequest): string {
  const msgs = req.body.messages as Array<{ role: string; content: unknown }>;
  const last = [...msgs].reverse().find((m) => m.role === 'user')!;
  return typeof last.content === 'string' ? last.content : (last.content as Array<{ text?: string }>).map((p) => p.text ?? '').join('');
}

function assertNothingLeaked(up: MockUpstream) {
  for (const r of up.requests) {
    const raw = JSON.stringify(r.body);
    const decoded = JSON.parse(raw, (_k, v) => v); // JSON escapes of non-ASCII are compared decoded as well
    const text = JSON.stringify(decoded);
    for (const value of FORBIDDEN) {
      assert.ok(!raw.includes(value) && !text.includes(value), `"${value}" reached the external upstream: ${raw.slice(0, 300)}`);
    }
  }
}

describe('sovereignty: nothing sensitive reaches an external model', () => {
  let external: MockUpstream;
  let privateUp: MockUpstream;
  let yumen: TestYumen;
  let client: OpenAI;

  before(async () => {
    external = await startMockUpstream();
    privateUp = await startMockUpstream();
    const echo = (req: RecordedRequest) => ({ content: lastUserText(req) });
    external.setDefault(echo);
    privateUp.setDefault(echo);
    yumen = await startTestYumen({
      models: [
        { name: 'cloud', provider: 'openai-compatible', base_url: external.baseUrl, zone: 'external' },
        { name: 'inhouse', provider: 'openai-compatible', base_url: privateUp.baseUrl, zone: 'private' },
      ],
      policy: { private_model: 'inhouse', general_model: 'cloud' },
    });
    client = new OpenAI({ apiKey: await yumen.key('财政局'), baseURL: yumen.baseURL, maxRetries: 0 });
  });
  after(async () => {
    await yumen.stop();
    await external.close();
    await privateUp.close();
  });

  const prompt = `联系人：${NAME}，电话${PHONE}，身份证号${ID_CARD}。备用手机：${FULL_WIDTH_PHONE}，${ZERO_WIDTH_PHONE}，${SPACED_PHONE}。请整理成表格。`;

  it('pseudonymizes every message shape toward an external model and restores the reply', async () => {
    const res = await client.chat.completions.create({
      model: 'cloud',
      messages: [
        { role: 'system', content: `你是${NAME}的助理，数据库密码：${PASSWORD}` },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ phone: PHONE, key: AWS_KEY }) } }] },
        { role: 'tool', tool_call_id: 'c1', content: `查询结果：${NAME} ${ID_CARD}` },
        { role: 'user', content: [{ type: 'text', text: prompt }] },
      ],
    }).withResponse();
    assertNothingLeaked(external);
    const sent = external.requests.at(-1)!.body;
    assert.match(JSON.stringify(sent), /〔手机号_\d+〕/);
    assert.doesNotThrow(() => JSON.parse(sent.messages[1].tool_calls[0].function.arguments), 'tool arguments stay valid JSON');
    assert.equal(res.data.choices[0].message.content, prompt, 'the client gets its original values back');
    assert.equal(res.response.headers.get('x-yumen-route'), 'external');
    assert.equal(res.response.headers.get('x-yumen-level'), 'sensitive');
    assert.ok(Number(res.response.headers.get('x-yumen-redactions')) >= 8);
  });

  it('restores placeholders split across stream chunks', async () => {
    const before = external.requests.length;
    external.setDefault((req) => {
      const text = lastUserText(req);
      return { stream: text.match(/[\s\S]{1,3}/g)! }; // 3-character chunks split every placeholder
    });
    const stream = await client.chat.completions.create({ model: 'cloud', stream: true, messages: [{ role: 'user', content: prompt }] });
    let text = '';
    try {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    } finally {
      external.setDefault((req) => ({ content: lastUserText(req) }));
    }
    assert.ok(external.requests.length > before);
    assertNothingLeaked(external);
    assert.equal(text, prompt);
  });

  it('sends data unchanged to a private model', async () => {
    const res = await client.chat.completions.create({ model: 'inhouse', messages: [{ role: 'user', content: prompt }] });
    assert.equal(lastUserText(privateUp.requests.at(-1)!), prompt);
    assert.equal(res.choices[0].message.content, prompt);
  });

  it('refuses classified content before any upstream is called, streamed or not', async () => {
    const counts = [external.requests.length, privateUp.requests.length];
    for (const stream of [false, true]) {
      for (const model of ['cloud', 'inhouse']) {
        const err = await client.chat.completions.create({ model, stream, messages: [{ role: 'user', content: '机密★1年\n关于某工程的实施方案' }] }).then(() => null, (e: unknown) => e);
        assert.ok(err instanceof OpenAI.PermissionDeniedError, `expected 403 for ${model} stream=${stream}`);
        assert.equal((err as InstanceType<typeof OpenAI.APIError>).code, 'classified_content');
        assert.match((err as Error).message, /涉密/);
        assert.doesNotMatch((err as Error).message, /工程/);
      }
    }
    assert.deepEqual([external.requests.length, privateUp.requests.length], counts);
  });

  it('keeps source code inside: an external request is rerouted to the private model', async () => {
    const code = 'def connect():\n    import os\n    conn = make_conn(os.environ["DB"])\n    return conn\n';
    const before = external.requests.length;
    const res = await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: `帮我优化：\n${code}` }] }).withResponse();
    assert.equal(external.requests.length, before);
    assert.equal(res.response.headers.get('x-yumen-route'), 'private');
    assert.match(lastUserText(privateUp.requests.at(-1)!), /def connect/);
  });

  it('model "auto" sends sensitive work to the private model and the rest to the general one', async () => {
    const sensitive = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: prompt }] }).withResponse();
    assert.equal(sensitive.response.headers.get('x-yumen-route'), 'private');
    const general = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: '介绍一下玉门关的历史' }] }).withResponse();
    assert.equal(general.response.headers.get('x-yumen-route'), 'external');
  });

  it('masks personal data a model produced on its own, and content-safety keywords', async () => {
    external.enqueue({ content: '可以联系李娜，手机13511112222。另外不要讨论制造炸弹。' });
    const res = await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: '谁负责这个项目？' }] });
    const text = res.choices[0].message.content!;
    assert.doesNotMatch(text, /13511112222/);
    assert.doesNotMatch(text, /制造炸弹/);
    assert.match(text, /＊＊＊/);
  });

  it('never shows placeholders or originals to the wrong party when the upstream fails after pseudonymization', async () => {
    external.enqueue({ status: 400, json: { error: { message: `bad request near 〔手机号_1〕`, type: 'invalid_request_error' } } });
    const err = await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: prompt }] }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof OpenAI.APIError);
    assert.doesNotMatch((err as Error).message, new RegExp(PHONE));
  });

  it('counts levels, routes, decisions and findings by type in /metrics, never the values', async () => {
    const scrape = async () => (await fetch(`${yumen.url}/metrics`)).text();
    const series = (text: string, line: RegExp) => Number(text.split('\n').find((l) => line.test(l))?.split(' ').at(-1) ?? NaN);
    const before = await scrape();
    const mobiles = series(before, /^yumen_guard_findings_total\{type="cn_mobile",route="external"\}/);
    const pseudonymized = series(before, /^yumen_policy_decisions_total\{action="pseudonymize",level="sensitive",route="external"\}/);
    const cloudOk = series(before, /^yumen_requests_total\{endpoint="chat",model="cloud",zone="external",status="200"\}/);
    await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: prompt }] });
    const after = await scrape();
    // The prompt holds four mobile numbers: plain, full-width, with zero-width characters, spaced.
    assert.ok(series(after, /^yumen_guard_findings_total\{type="cn_mobile",route="external"\}/) - mobiles >= 4);
    assert.equal(series(after, /^yumen_policy_decisions_total\{action="pseudonymize",level="sensitive",route="external"\}/) - pseudonymized, 1);
    assert.equal(series(after, /^yumen_requests_total\{endpoint="chat",model="cloud",zone="external",status="200"\}/) - cloudOk, 1);
    assert.ok(series(after, /^yumen_request_duration_seconds_count\{endpoint="chat",model="cloud"\}/) >= series(after, /^yumen_requests_total\{endpoint="chat",model="cloud",zone="external",status="200"\}/));
    // A second scrape with no request in between shows the same counts: nothing is added twice.
    assert.equal(series(await scrape(), /^yumen_requests_total\{endpoint="chat",model="cloud",zone="external",status="200"\}/) - cloudOk, 1);
    for (const value of FORBIDDEN) assert.ok(!after.includes(value), `"${value}" appeared in /metrics`);
  });
});

describe('air-gapped mode', () => {
  it('refuses at start a configuration naming an external model', async () => {
    await assert.rejects(
      startYumen({
        server: { ...DEFAULTS.server, port: 0 }, storage: { url: 'sqlite::memory:' }, log: { level: 'silent' }, data_dir: '.',
        models: [{ name: 'cloud', provider: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', zone: 'external' }],
        policy: { air_gapped: true },
      }, { port: 0 }),
      /air_gapped/,
    );
  });
});
