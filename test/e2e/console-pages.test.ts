import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createDictionaryRepository } from '../../src/store/index.ts';
import { browserSkipReason, chooseOption, launch, openPage, screenshot, signIn, type WatchedPage } from './browser.ts';
import { PASSWORD, sessionCookie, startConsoleFixture, type ConsoleFixture } from './fixture.ts';

const skip = browserSkipReason();

const cookieFor = sessionCookie;

describe('console pages: overview, keys, models, departments, policies, audit', { skip: skip ?? false }, () => {
  let fx: ConsoleFixture;
  let browser: Browser;
  let depts: { A: string; B: string };
  const pages: WatchedPage[] = [];
  const open = async (user: string) => {
    const w = await openPage(browser);
    pages.push(w);
    await signIn(w.page, fx.url, user, PASSWORD);
    return w;
  };

  before(async () => {
    fx = await startConsoleFixture();
    depts = await fx.seed();
    browser = await launch();
  });
  after(async () => {
    // Close first: a failed assertion must not leave the browser and server holding the run open.
    const errors = pages.flatMap((w) => w.errors);
    await browser?.close();
    await fx?.close();
    assert.deepEqual(errors, [], 'a page logged errors');
  });

  test('overview: calls by department, zone and model, and the sankey flow to the outside', async () => {
    const key = await fx.yumen.key('财政局');
    for (const [model, content] of [['cloud-chat', '我的手机号 13912345678'], ['local-chat', '你好'], ['cloud-chat', '天气如何']]) {
      const r = await fetch(`${fx.yumen.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content }] }) });
      assert.equal(r.status, 200);
    }
    const cookie = await cookieFor(fx.url, 'auditor');
    let overview: any;
    for (let i = 0; i < 100; i++) {
      overview = await (await fetch(`${fx.url}/api/console/overview?days=7`, { headers: { cookie } })).json();
      if (overview.cells.reduce((a: number, c: any) => a + c.calls, 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const external = overview.cells.filter((c: any) => c.zone === 'external');
    assert.equal(external.reduce((a: number, c: any) => a + c.calls, 0), 2);
    assert.equal(external.reduce((a: number, c: any) => a + c.pseudonymized, 0), 1);
    assert.ok(overview.findings.cn_mobile >= 1);
    // Hostile: a member has no overview; a department admin of B sees none of A's calls.
    assert.equal((await fetch(`${fx.url}/api/console/overview`, { headers: { cookie: await cookieFor(fx.url, 'member-a') } })).status, 403);
    await fx.addUser('admin-b', [{ role: 'dept_admin', tenantId: depts.B }]);
    const b = await (await fetch(`${fx.url}/api/console/overview`, { headers: { cookie: await cookieFor(fx.url, 'admin-b') } })).json();
    assert.deepEqual(b.cells, []);

    const { page } = await open('auditor');
    await page.getByTestId('chart-sankey').locator('canvas').waitFor();
    assert.equal(await page.getByTestId('stat-calls').locator('.ant-statistic-content-value').innerText(), '3');
    await screenshot(page, 'overview');
  });

  test('keys: shown once with copy, expiry checked by the API in the user\'s language, revoke', async () => {
    const { page } = await open('member-a');
    await page.getByTestId('nav-keys').click();
    await page.getByTestId('key-new').click();
    await page.getByTestId('key-name').fill('报表脚本');
    await page.locator('#days').fill('-1');
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-error').getByText('请求有误').waitFor();
    await page.locator('#days').fill('30');
    await page.getByTestId('key-create').click();
    const secret = await page.getByTestId('secret-value').inputValue();
    assert.equal((await fetch(`${fx.yumen.baseURL}/models`, { headers: { authorization: `Bearer ${secret}` } })).status, 200);
    await screenshot(page, 'keys');
    await page.keyboard.press('Escape');
    await page.getByTestId('revoke-报表脚本').click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await page.getByTestId('key-table').getByText('已吊销').waitFor();
    assert.equal((await fetch(`${fx.yumen.baseURL}/models`, { headers: { authorization: `Bearer ${secret}` } })).status, 401);
  });

  test('models: list with zones; a connection test against a real server; a bad entry shows the API\'s message', async () => {
    const { page } = await open('sysadmin');
    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-table').getByText('cloud-chat').waitFor();
    await page.getByTestId('model-add').click();
    await page.getByTestId('model-name').fill('vllm-qwen');
    await page.getByTestId('model-base-url').fill(fx.internal.baseUrl);
    await page.getByTestId('model-test').click();
    await page.getByTestId('model-test-result').getByText('连接成功').waitFor();
    await page.getByTestId('model-base-url').fill('http://127.0.0.1:9/v1');
    await page.getByTestId('model-test').click();
    await page.getByTestId('model-test-result').getByText('连接失败').waitFor();
    await page.getByTestId('model-base-url').fill(fx.internal.baseUrl);
    await screenshot(page, 'models');
    await page.getByTestId('model-save').click();
    await page.getByTestId('model-table').getByText('vllm-qwen').waitFor();
    // The same name again: refused by the API, shown in Chinese.
    await page.getByTestId('model-add').click();
    await page.getByTestId('model-name').fill('vllm-qwen');
    await page.getByTestId('model-base-url').fill(fx.internal.baseUrl);
    await page.getByTestId('model-save').click();
    await page.getByTestId('model-error').waitFor();
    assert.match(await page.getByTestId('model-error').innerText(), /[\u4e00-\u9fff]/);
  });

  test('departments and accounts: tree, new sub-department and member; 三员 accounts are not managed by the sysadmin', async () => {
    const { page } = await open('sysadmin');
    await page.getByTestId('nav-departments').click();
    await page.getByTestId('dept-tree').getByText('财政局').waitFor();
    await page.getByTestId('dept-new').click();
    await page.getByTestId('dept-name').fill('预算处');
    await chooseOption(page, page.getByTestId('dept-parent'), '财政局');
    await page.getByTestId('dept-create').click();
    await page.getByTestId('dept-tree').getByText('预算处').waitFor();
    await page.getByTestId('user-new').click();
    await page.getByTestId('user-name').fill('li.lei');
    await page.getByTestId('user-password').fill('short');
    await chooseOption(page, page.getByTestId('user-department'), '预算处');
    await page.getByTestId('user-create').click();
    await page.getByTestId('user-form-error').waitFor();
    assert.match(await page.getByTestId('user-form-error').innerText(), /[\u4e00-\u9fff]/);
    await page.getByTestId('user-password').fill(PASSWORD);
    await page.getByTestId('user-create').click();
    await page.getByTestId('user-table').getByText('li.lei').waitFor();
    assert.equal(await page.getByTestId('toggle-secadmin').count(), 0);
    assert.equal(await page.getByTestId('toggle-auditor').count(), 0);
    assert.equal(await page.getByTestId('toggle-li.lei').count(), 1);
    await screenshot(page, 'departments');
  });

  test('policies: the try-it box shows findings and what each zone receives; a 10,000-term dictionary imports; a bad policy shows the API\'s message', async () => {
    const { page } = await open('secadmin');
    await page.getByTestId('nav-policies').click();
    await page.getByTestId('tryit-text').fill('请联系 13912345678。');
    await page.getByTestId('tryit-scan').click();
    await page.getByTestId('tryit-findings').getByText('cn_mobile').waitFor();
    const external = await page.getByTestId('tryit-external').innerText();
    assert.doesNotMatch(external, /13912345678/);
    assert.match(external, /〔[^〕]+〕/);
    assert.match(await page.getByTestId('tryit-private').innerText(), /13912345678/);
    await screenshot(page, 'policies');

    await page.getByTestId('policy-own').fill('{"levels": {"secret": "nope"}}');
    await page.getByTestId('policy-save').click();
    await page.getByTestId('policy-error').waitFor();

    const csv = join(tmpdir(), `terms-${process.pid}.csv`);
    writeFileSync(csv, `term,label\n${Array.from({ length: 10_000 }, (_, i) => `项目代号${i},项目`).join('\n')}\n`);
    await page.getByTestId('dict-new').click();
    await page.getByTestId('dict-name').fill('项目代号');
    await page.locator('input[type=file]').setInputFiles(csv);
    await page.getByTestId('dict-count').getByText('10000').waitFor();
    await page.getByTestId('dict-create').click();
    await page.getByTestId('dict-table').getByText('10000').waitFor();
    const stored = await createDictionaryRepository(fx.yumen.store.db).list({});
    assert.equal(stored[0].terms.length, 10_000);
    // Hostile: the try-it endpoint does not reach outside the caller's role.
    const scan = await fetch(`${fx.url}/api/console/scan`, { method: 'POST', headers: { 'content-type': 'application/json', origin: fx.url, cookie: await cookieFor(fx.url, 'member-a') }, body: JSON.stringify({ department_id: depts.A, text: 'x' }) });
    assert.equal(scan.status, 403);
  });

  test('policies: a false name in the try-it box is marked "not personal data" — the department\'s public terms hold it, an external model then reads it; an auditor cannot add to it', async () => {
    const child = await fx.addDepartment('预算二处', depts.A);
    const { page } = await open('secadmin');
    await page.getByTestId('nav-policies').click();
    await chooseOption(page, page.getByTestId('policy-department'), '财政局');
    const text = '请用高德地图查一下去市政府的路线，联系人李建国';
    await page.getByTestId('tryit-text').fill(text);
    await page.getByTestId('tryit-scan').click();
    await page.getByTestId('tryit-findings').getByText('李建国').waitFor();
    assert.doesNotMatch(await page.getByTestId('tryit-external').innerText(), /高德/);
    await page.getByTestId(`tryit-public-${text.indexOf('高德')}`).click();
    await page.getByTestId('tryit-public-ok').click();
    await page.getByTestId('tryit-external').getByText(/高德地图/).waitFor();
    const external = await page.getByTestId('tryit-external').innerText();
    assert.doesNotMatch(external, /李建国/, 'the real name is still replaced');
    assert.equal(await page.getByTestId(`tryit-public-${text.indexOf('高德')}`).count(), 0);
    assert.match(await page.getByTestId('policy-own').inputValue(), /"public_terms": \[\s*"高德"\s*\]/);
    await screenshot(page, 'policies-public-term');

    // A department below, with no list of its own, inherits 高德; marking another word gives it a list of its own that
    // keeps the inherited term.
    await chooseOption(page, page.getByTestId('policy-department'), '预算二处');
    await page.getByTestId('tryit-text').fill('请用高德地图查一下去比斯特购物村的路线');
    await page.getByTestId('tryit-scan').click();
    await page.getByTestId('tryit-findings').getByText('比斯特购物村').waitFor();
    await page.getByTestId('tryit-public-10').click();
    await page.locator('.ant-popover:not(.ant-popover-hidden) [data-testid=tryit-public-ok]').click();
    await page.getByTestId('tryit-external').getByText(/比斯特购物村/).waitFor();
    const own = await (await fetch(`${fx.url}/api/departments/${child}/policy`, { headers: { cookie: await cookieFor(fx.url, 'auditor') } })).json();
    assert.deepEqual(own.own.public_terms, ['高德', '比斯特购物村']);

    // Hostile: only the security administrator writes the list; the auditor, who reads policies, cannot add to it.
    const auditorCookie = await cookieFor(fx.url, 'auditor');
    const list = await (await fetch(`${fx.url}/api/departments`, { headers: { cookie: auditorCookie } })).json();
    const policies = await Promise.all((list.data ?? list).map(async (d: { id: string }) => [d.id, await (await fetch(`${fx.url}/api/departments/${d.id}/policy`, { headers: { cookie: auditorCookie } })).json()] as const));
    const marked = policies.filter(([, p]) => p.own?.public_terms).map(([id]) => id).sort();
    assert.deepEqual(marked, [depts.A, child].sort(), 'the lists were set on the departments chosen, and on no other');
    const policyUrl = `${fx.url}/api/departments/${depts.A}/policy`;
    const put = await fetch(policyUrl, { method: 'PUT', headers: { 'content-type': 'application/json', origin: fx.url, cookie: auditorCookie }, body: JSON.stringify({ policy: { public_terms: ['李建国'] } }) });
    assert.equal(put.status, 403);
    const stored = await (await fetch(policyUrl, { headers: { cookie: auditorCookie } })).json();
    assert.deepEqual(stored.own.public_terms, ['高德']);
  });

  test('audit: the auditor sees records and the chain status, or a notice while the audit API is missing', async () => {
    const { page } = await open('auditor');
    await page.getByTestId('nav-audit').click();
    await page.locator('[data-testid=page-audit], [data-testid=audit-missing]').first().waitFor();
    if (await page.getByTestId('page-audit').count()) {
      await page.getByTestId('audit-verify').waitFor();
      await page.getByTestId('audit-verify-now').click();
    }
    await screenshot(page, 'audit');
  });
});
