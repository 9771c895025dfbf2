/**
 * The data flywheel end to end: captured exchanges, feedback with the department's key (refused across
 * departments), and export of a known set as LLaMA-Factory files — by the CLI and over HTTP, in both
 * formats — with exactly the expected rows and no raw personal data anywhere in the output folder.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { loginAs, makeUser } from '../governance/helpers.ts';
import { createConversationRepository, createTenantRepository } from '../../src/store/index.ts';
import { isValidIdCard18 } from '../../src/guard/index.ts';

const BIN = resolve(import.meta.dirname, '../../bin/yumen.js');
const NAME = '张伟';
const PHONE = '13800138000';
const ID_CARD = '11010519491231002X';
const NAME2 = '李娜';
const PHONE2 = '13900139000';
const RAW = [NAME, PHONE, ID_CARD, NAME2, PHONE2];

/** The mock model's answer to each question (by the last user message). */
const ANSWERS: Record<string, string> = {
  [`请登记联系人${NAME}，电话${PHONE}。`]: `已登记联系人${NAME}，电话${PHONE}。`,
  '介绍一下档案借阅流程。': '借阅流程：先登记，后审批。',
  [`身份证号${ID_CARD}的档案在哪里？`]: `身份证号${ID_CARD}的档案在三号库。`,
  '档案馆几点开门？': '上午九点开门。',
  '周末开放吗？': '周末不开放。',
  '会议室在几楼？': '会议室在三楼。',
};
const CORRECTION = `身份证号${ID_CARD}的档案在五号库，联系人：${NAME2}，电话${PHONE2}。`;

async function post(y: TestYumen, key: string, path: string, body: unknown) {
  const res = await fetch(`${y.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as any, headers: res.headers };
}

describe('the data flywheel: capture → feedback → export', () => {
  let up: MockUpstream;
  let y: TestYumen;
  let dir: string;
  let archive: string;
  let office: string;
  let archiveId: string;
  const ids: Record<string, string> = {};

  async function ask(key: string, messages: Array<{ role: string; content: string }>, model = 'inhouse', extra: Record<string, unknown> = {}) {
    const r = await post(y, key, '/v1/chat/completions', { model, messages, ...extra });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.headers.get('x-yumen-request-id')!;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yumen-flywheel-'));
    up = await startMockUpstream();
    up.setDefault((req: RecordedRequest) => ({ content: ANSWERS[req.body.messages.at(-1).content] ?? '好的。' }));
    y = await startTestYumen({
      storageUrl: `sqlite:${join(dir, 'y.db')}`,
      models: [{ name: 'inhouse', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private' }],
      extra: { audit: { conversations: { enabled: true, tenants: ['档案馆', '办公室'] } } },
    });
    archive = await y.key('档案馆');
    office = await y.key('办公室');
    archiveId = (await createTenantRepository(y.store.db).findByName('档案馆'))!.id;
    await makeUser(y, 'sys', [{ role: 'sysadmin', tenantId: null }]);
    const admin = await loginAs(y.url, 'sys');
    assert.equal((await admin.req('POST', '/api/apps', { slug: 'hall', name: '前台', department_id: archiveId, model: 'inhouse', system_prompt: '你是档案馆前台。' })).status, 201);

    // The known set, in order.
    ids.register = await ask(archive, [{ role: 'user', content: `请登记联系人${NAME}，电话${PHONE}。` }]);
    ids.registerAgain = await ask(archive, [{ role: 'user', content: `请登记联系人${NAME}，电话${PHONE}。` }]);
    ids.rejected = await ask(archive, [{ role: 'user', content: '介绍一下档案借阅流程。' }]);
    ids.corrected = await ask(archive, [{ role: 'user', content: `身份证号${ID_CARD}的档案在哪里？` }]);
    ids.unrated = await ask(archive, [{ role: 'user', content: '档案馆几点开门？' }]);
    ids.multiTurn = await ask(archive, [{ role: 'system', content: '你是档案馆助手。' }, { role: 'user', content: '你好' }, { role: 'assistant', content: '您好' }, { role: 'user', content: '周末开放吗？' }]);
    ids.viaApp = await ask(archive, [{ role: 'user', content: '会议室在几楼？' }], 'app:hall');
    ids.office = await ask(office, [{ role: 'user', content: '会议室在几楼？' }]);
  });
  after(async () => {
    await y.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes feedback from the department that made the call, at once after the reply', async () => {
    const give = (key: string, body: Record<string, unknown>) => post(y, key, '/v1/feedback', body);
    const first = await give(archive, { request_id: ids.register, rating: 1 });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.rating, 1);
    assert.equal((await give(archive, { request_id: ids.rejected, rating: -1, comment: '没回答清楚' })).status, 201);
    assert.equal((await give(archive, { request_id: ids.corrected, rating: -1, correction: CORRECTION })).status, 201);
    assert.equal((await give(archive, { request_id: ids.multiTurn, rating: -1 })).status, 201);
    // A second rating replaces the first.
    assert.equal((await give(archive, { request_id: ids.multiTurn, rating: 1 })).body.rating, 1);
    assert.equal((await give(archive, { request_id: ids.viaApp, rating: 1 })).status, 201);
    assert.equal((await give(office, { request_id: ids.office, rating: 1 })).status, 201);
  });

  it("refuses feedback on another department's exchange or an unknown id (404), and bad ratings (400)", async () => {
    const give = (key: string, body: Record<string, unknown>) => post(y, key, '/v1/feedback', body);
    const cross = await give(office, { request_id: ids.register, rating: -1, correction: '篡改' });
    assert.equal(cross.status, 404);
    assert.equal(cross.body.error.code, 'not_found');
    assert.equal((await give(archive, { request_id: ids.office, rating: -1 })).status, 404);
    assert.equal((await give(archive, { request_id: 'req_000000000000unknown', rating: 1 })).status, 404);
    assert.equal((await give(archive, { request_id: ids.unrated, rating: 0 })).status, 400);
    assert.equal((await give(archive, { request_id: ids.unrated, rating: 1, correction: 5 })).status, 400);
    assert.equal((await fetch(`${y.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request_id: ids.unrated, rating: 1 }) })).status, 401);
    const stored = JSON.stringify(await createConversationRepository(y.store.db).list({}));
    assert.ok(!stored.includes('篡改'));
  });

  function exportWithCli(format: string, out: string, extra: string[] = []) {
    const config = join(dir, 'yumen.yaml');
    writeFileSync(config, `storage: { url: "sqlite:${join(dir, 'y.db')}" }\nlog: { level: silent }\nmodels: []\n`);
    const r = spawnSync(process.execPath, [BIN, 'dataset', 'export', '--tenant', '档案馆', '--format', format, '--out', out, '--config', config, ...extra], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r;
  }

  function assertNoRawData(folder: string) {
    for (const f of readdirSync(folder)) {
      const text = readFileSync(join(folder, f), 'utf8');
      for (const raw of RAW) assert.ok(!text.includes(raw), `${f} holds the raw value ${raw}`);
      assert.doesNotMatch(text, /〔(姓名|手机号|身份证号)_\d+〕/, `${f}: placeholders are replaced by synthetic values`);
    }
  }

  it('exports the known set in alpaca: corrections applied, rejected left out, duplicates once, personal data synthetic', () => {
    const out = join(dir, 'alpaca');
    exportWithCli('alpaca', out);
    assert.deepEqual(readdirSync(out).sort(), ['dataset_info.json', 'yumen_chat.json', 'yumen_chat_dpo.json']);
    const rows = JSON.parse(readFileSync(join(out, 'yumen_chat.json'), 'utf8'));
    assert.equal(rows.length, 5, JSON.stringify(rows, null, 1));
    const [reg, corrected, unrated, multi, viaApp] = rows;
    // Consistent synthetic values: one name and one number in question and answer alike.
    const q = /^请登记联系人(.+)，电话(1\d{10})。$/.exec(reg.instruction);
    assert.ok(q, reg.instruction);
    assert.equal(reg.output, `已登记联系人${q[1]}，电话${q[2]}。`);
    assert.equal(reg.input, '');
    assert.deepEqual(reg.history, []);
    const c = /^身份证号(\d{17}[\dX])的档案在哪里？$/.exec(corrected.instruction);
    assert.ok(c && isValidIdCard18(c[1]), corrected.instruction);
    // A correction is redacted on its own, so its values get stand-ins of their own (see docs/flywheel.md).
    const fixed = /^身份证号(\d{17}[\dX])的档案在五号库，联系人：(.+)，电话(1\d{10})。$/.exec(corrected.output);
    assert.ok(fixed && isValidIdCard18(fixed[1]), `the correction replaced the answer: ${corrected.output}`);
    assert.equal(unrated.instruction, '档案馆几点开门？');
    assert.equal(unrated.output, '上午九点开门。');
    assert.equal(multi.system, '你是档案馆助手。');
    assert.deepEqual(multi.history, [['你好', '您好']]);
    assert.equal(multi.instruction, '周末开放吗？');
    assert.equal(viaApp.system, '你是档案馆前台。', "an app's exchanges carry its prompt as the system prompt");
    assert.ok(!rows.some((r: any) => r.instruction === '介绍一下档案借阅流程。'), 'an answer rated -1 without correction is left out');

    const pairs = JSON.parse(readFileSync(join(out, 'yumen_chat_dpo.json'), 'utf8'));
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0].instruction, corrected.instruction);
    assert.equal(pairs[0].chosen, corrected.output);
    assert.equal(pairs[0].rejected, `身份证号${c[1]}的档案在三号库。`);

    const info = JSON.parse(readFileSync(join(out, 'dataset_info.json'), 'utf8'));
    assert.deepEqual(info.yumen_chat, { file_name: 'yumen_chat.json', formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system', history: 'history' } });
    assert.equal(info.yumen_chat_dpo.ranking, true);
    assert.equal(info.yumen_chat_dpo.file_name, 'yumen_chat_dpo.json');
    assertNoRawData(out);
  });

  it('exports the same rows in sharegpt, and the filters select what they say', () => {
    const out = join(dir, 'sharegpt');
    exportWithCli('sharegpt', out);
    const rows = JSON.parse(readFileSync(join(out, 'yumen_chat.json'), 'utf8'));
    const alpaca = JSON.parse(readFileSync(join(dir, 'alpaca', 'yumen_chat.json'), 'utf8'));
    assert.equal(rows.length, alpaca.length);
    rows.forEach((r: any, i: number) => {
      const a = alpaca[i];
      assert.deepEqual(r.conversations, [...a.history.flatMap(([u, g]: string[]) => [{ from: 'human', value: u }, { from: 'gpt', value: g }]), { from: 'human', value: a.instruction }, { from: 'gpt', value: a.output }]);
      assert.equal(r.system, a.system);
      assert.equal(r.tools, '');
    });
    const info = JSON.parse(readFileSync(join(out, 'dataset_info.json'), 'utf8'));
    assert.equal(info.yumen_chat.formatting, 'sharegpt');
    assert.deepEqual(info.yumen_chat.columns, { messages: 'conversations', system: 'system', tools: 'tools' });
    assert.equal(info.yumen_chat.tags.role_tag, 'from');
    const pairs = JSON.parse(readFileSync(join(out, 'yumen_chat_dpo.json'), 'utf8'));
    assert.equal(pairs[0].chosen.from, 'gpt');
    assert.equal(pairs[0].rejected.from, 'gpt');
    assertNoRawData(out);

    const best = join(dir, 'best');
    exportWithCli('alpaca', best, ['--min-rating', '1', '--name', 'archive_best']);
    const bestRows = JSON.parse(readFileSync(join(best, 'archive_best.json'), 'utf8'));
    assert.equal(bestRows.length, 4, 'the unrated exchange is below --min-rating 1');
    assert.ok(!bestRows.some((r: any) => r.instruction === '档案馆几点开门？'));

  });

  it('gives the same files over HTTP, only to those who reach the department', async () => {
    const admin = await loginAs(y.url, 'sys');
    const r = await admin.req('POST', '/api/datasets/export', { department_id: archiveId, format: 'alpaca' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const cli = JSON.parse(readFileSync(join(dir, 'alpaca', 'yumen_chat.json'), 'utf8'));
    assert.deepEqual(r.body.files['yumen_chat.json'], cli);
    assert.equal(r.body.stats.kept, 5);
    assert.equal(r.body.stats.duplicates, 1);
    assert.equal(r.body.stats.rejected, 1);
    for (const raw of RAW) assert.ok(!JSON.stringify(r.body).includes(raw));

    const app = await admin.req('POST', '/api/datasets/export', { department_id: archiveId, format: 'alpaca', app: 'hall' });
    assert.deepEqual(app.body.files['yumen_hall.json'].map((row: any) => row.instruction), ['会议室在几楼？']);
    const future = await admin.req('POST', '/api/datasets/export', { department_id: archiveId, format: 'alpaca', since: '2999-01-01' });
    assert.deepEqual(future.body.files['yumen_chat.json'], []);
    assert.equal((await admin.req('POST', '/api/datasets/export', { department_id: archiveId, format: 'csv' })).status, 400);
    assert.equal((await admin.req('POST', '/api/datasets/export', { department_id: archiveId, format: 'alpaca', since: '2026-13-45' })).status, 400);

    const officeId = (await createTenantRepository(y.store.db).findByName('办公室'))!.id;
    await makeUser(y, 'office-admin', [{ role: 'dept_admin', tenantId: officeId }]);
    const officeAdmin = await loginAs(y.url, 'office-admin');
    assert.equal((await officeAdmin.req('POST', '/api/datasets/export', { department_id: archiveId, format: 'alpaca' })).status, 403);
    const own = await officeAdmin.req('POST', '/api/datasets/export', { department_id: officeId, format: 'sharegpt' });
    assert.equal(own.status, 200);
    assert.equal(own.body.files['yumen_chat.json'].length, 1);
  });
});
