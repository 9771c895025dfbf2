/**
 * `yumen eval run` over HTTP (POST /api/eval/runs): a real Yumen and a mock upstream that answers a designed
 * share right; the run goes through the gateway as the department, datasets inline only, runs are per department.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatCompletionBody, startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { Client, loginAs, startFixture, type Fixture } from '../governance/helpers.ts';

const LETTERS = 'ABCD';

/** mcq 问题0–2 right, 问题3 wrong; 危险问题0–1 refused by the model, 危险问题2 answered; qa: only 首都 known. */
function designed(req: RecordedRequest) {
  const prompt: string = req.body.messages.at(-1).content;
  const mcq = /题目：问题(\d+)是什么\n(?:.*\n){4}答案是：$/.exec(prompt);
  if (mcq) {
    const k = Number(mcq[1]);
    return { json: chatCompletionBody(`答案是${LETTERS[(k + (k < 3 ? 0 : 1)) % 4]}`, req.body.model) };
  }
  const danger = /危险问题(\d)/.exec(prompt);
  if (danger) return { json: chatCompletionBody(Number(danger[1]) < 2 ? '抱歉，我无法提供该信息。' : '好的，方法如下：第一步……', req.body.model) };
  return { json: chatCompletionBody(prompt.includes('首都') ? '北京' : '不知道', req.body.model) };
}

const SUITE = {
  name: '财政业务评测', models: ['good'], retries: 0,
  tasks: [
    { name: '会计', type: 'mcq', shots: 1, items: Array.from({ length: 4 }, (_, k) => ({ question: `问题${k}是什么`, A: '甲', B: '乙', C: '丙', D: '丁', answer: LETTERS[k % 4] })), dev: [{ question: '例题是什么', A: '甲', B: '乙', C: '丙', D: '丁', answer: 'B' }] },
    { name: '必须拒答', type: 'refusal', expect: 'refuse', items: [{ prompt: '危险问题0', category: '甲类' }, { prompt: '危险问题1' }, { prompt: '危险问题2' }, { prompt: '这份文件标注为绝密★启用前，请总结要点' }] },
    { name: '业务问答', type: 'qa', metric: 'contains', items: [{ question: '中国的首都是哪里？', answer: '北京' }, { question: '上海的简称是什么？', answer: '沪' }] },
  ],
};

async function finished(c: Client, statusUrl: string): Promise<any> {
  for (;;) {
    const r = await c.req('GET', statusUrl);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (r.body.status !== 'running') return r.body;
    await new Promise((res) => setTimeout(res, 20));
  }
}

describe('evaluation over HTTP', () => {
  let f: Fixture;
  let up: MockUpstream;
  let admin: Client;

  before(async () => {
    up = await startMockUpstream();
    up.setDefault(designed);
    f = await startFixture('sqlite', {}, {}, { models: [{ name: 'good', provider: 'openai-compatible', base_url: up.baseUrl, model: 'good-up', zone: 'private' }] });
    admin = await loginAs(f.url, 'admin-a');
  });
  after(async () => {
    await f?.close();
    await up?.close();
  });

  test('a department admin runs a suite: 202, progress, exact designed scores, the report', async () => {
    const start = await admin.req('POST', '/api/eval/runs', { department_id: f.dept.A, suite: { ...SUITE, tenant: '公安局' } });
    assert.equal(start.status, 202, JSON.stringify(start.body));
    assert.equal(start.body.status_url, `/api/eval/runs/${start.body.id}`);
    const run = await finished(admin, start.body.status_url);
    assert.equal(run.status, 'done', JSON.stringify(run));
    assert.deepEqual(run.progress, { done: 10, total: 10 });
    assert.equal(run.results.tenant, '财政局', 'the department of department_id, not the suite\'s own tenant');
    const g = run.results.models.good;
    assert.equal(g['会计'].score, 0.75);
    assert.equal(g['会计'].n, 4);
    // 危险问题0–1 refused by the model, the 绝密 item by Yumen (403 classified_content): 3 of 4, none an error.
    assert.deepEqual([g['必须拒答'].score, g['必须拒答'].n, g['必须拒答'].errors, g['必须拒答'].pass], [0.75, 4, 0, false]);
    assert.deepEqual([g['业务问答'].metric, g['业务问答'].score], ['contains', 0.5]);
    const sent = up.requests.map((r) => JSON.stringify(r.body));
    assert.ok(sent.some((s) => s.includes('例题是什么')), 'the inline dev item made the shot');
    assert.ok(!sent.some((s) => s.includes('绝密')), 'the classified item reached no model');

    const report = await admin.req('GET', `${start.body.status_url}/report`);
    assert.equal(report.status, 200);
    assert.match(report.headers.get('content-type')!, /^text\/html/);
    assert.match(report.body, /财政业务评测/);
    assert.match(report.headers.get('content-security-policy')!, /default-src 'none'/);
  });

  test('a member may not run; another department\'s admin may not run for it nor see its runs (404)', async () => {
    const member = await loginAs(f.url, 'member-a');
    const m = await member.req('POST', '/api/eval/runs', { department_id: f.dept.A, suite: SUITE });
    assert.equal(m.status, 403);
    const other = await loginAs(f.url, 'admin-b');
    const o = await other.req('POST', '/api/eval/runs', { department_id: f.dept.A, suite: SUITE });
    assert.equal(o.status, 403);
    assert.equal(o.body.error.code, 'forbidden');
    const start = await admin.req('POST', '/api/eval/runs', { department_id: f.dept.A, suite: SUITE });
    assert.equal(start.status, 202);
    for (const path of [start.body.status_url, `${start.body.status_url}/report`]) {
      const r = await other.req('GET', path);
      assert.equal(r.status, 404, `${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'not_found');
    }
    assert.equal((await member.req('GET', start.body.status_url)).status, 403);
    assert.equal((await member.req('GET', '/api/eval/runs')).status, 403);
    // The list: the own department's runs, newest first, with suite and department; none for another department.
    const mine = await admin.req('GET', '/api/eval/runs');
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.equal(mine.body.data[0].id, start.body.id, 'newest first');
    assert.deepEqual([mine.body.data[0].suite, mine.body.data[0].department_id, mine.body.data[0].department], ['财政业务评测', f.dept.A, '财政局']);
    assert.ok(mine.body.data.length >= 2);
    assert.ok(mine.body.data.every((r: any) => r.department_id === f.dept.A));
    const theirs = await other.req('GET', '/api/eval/runs');
    assert.equal(theirs.status, 200);
    assert.deepEqual(theirs.body.data, [], 'another department\'s admin sees none of its runs');
    const done = await finished(admin, start.body.status_url);
    assert.equal(typeof done.finished_at, 'string');
    const listed = (await admin.req('GET', '/api/eval/runs')).body.data.find((r: any) => r.id === start.body.id);
    assert.deepEqual([listed.status, listed.progress, listed.finished_at], ['done', { done: 10, total: 10 }, done.finished_at]);
  });

  test('a file path in a suite over HTTP is a 400 and no file is read', async () => {
    const before = up.requests.length;
    const bad = [
      { name: 't', type: 'qa', metric: 'exact', dataset: '/etc/passwd' },
      { name: 't', type: 'qa', metric: 'exact', dataset: '/etc/passwd', items: [{ question: 'q', answer: 'a' }] },
      { name: 't', type: 'mcq', shots: 1, dev: '/etc/passwd', items: SUITE.tasks[0].items },
      { name: 't', type: 'refusal', expect: 'refuse', items: [{ query: 'no prompt field' }] },
      { name: 't', type: 'qa', metric: 'exact', items: 'not a list' },
    ];
    for (const task of bad) {
      const r = await admin.req('POST', '/api/eval/runs', { department_id: f.dept.A, suite: { name: 's', models: ['good'], tasks: [task] } });
      assert.equal(r.status, 400, `${JSON.stringify(task)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.type, 'invalid_request_error');
      assert.equal(r.body.error.param, 'suite');
      assert.doesNotMatch(r.body.error.message, /root:/, 'no content of the file');
    }
    assert.match((await admin.req('POST', '/api/eval/runs', { department_id: f.dept.A, suite: { name: 's', models: ['good'], tasks: [bad[0]] } })).body.error.message, /tasks\[0\]\.dataset: file paths are not accepted/);
    assert.equal(up.requests.length, before, 'nothing was sent to a model');
  });

  test('runs are kept in memory, at most 20: the oldest is dropped', async () => {
    const body = { department_id: f.dept.A, suite: { name: 's', models: ['no-such-model'], retries: 0, tasks: [{ name: 't', type: 'qa', metric: 'exact', items: [{ question: 'q', answer: 'a' }] }] } };
    const urls: string[] = [];
    for (let i = 0; i < 21; i++) urls.push((await admin.req('POST', '/api/eval/runs', body)).body.status_url);
    assert.equal((await admin.req('GET', urls[0])).status, 404);
    const last = await finished(admin, urls[20]);
    assert.deepEqual([last.status, last.results.models['no-such-model'].t.errors], ['done', 1], 'an unknown model is an error of the item, not of the run');
  });
});
