import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createDepartmentRepository } from '../../src/store/index.ts';
import { assertNoErrors, browserSkipReason, launch, openPage, screenshot, signIn } from './browser.ts';
import { PASSWORD, startConsoleFixture, type ConsoleFixture } from './fixture.ts';

const skip = browserSkipReason();

describe('console shell: static serving, first-run setup, sign-in, navigation by role, language', { skip: skip ?? false }, () => {
  let fx: ConsoleFixture;
  let browser: Browser;
  let deptA: string;

  before(async () => {
    fx = await startConsoleFixture();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await fx?.close();
  });

  test('the console is served at / with an SPA fallback; the APIs keep their JSON 404s; no way out of the folder', async () => {
    const root = await fetch(`${fx.url}/`);
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type')!, /text\/html/);
    assert.match(root.headers.get('content-security-policy')!, /script-src 'self'/);
    const html = await root.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(`${fx.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control')!, /immutable/);
    assert.equal(asset.headers.get('content-encoding'), 'gzip');
    const deep = await fetch(`${fx.url}/policies`);
    assert.equal(deep.status, 200);
    assert.equal(await deep.text(), html);
    const api = await fetch(`${fx.url}/api/no-such-thing`);
    assert.equal(api.status, 404);
    assert.equal((await api.json()).error.code, 'not_found');
    const v1 = await fetch(`${fx.url}/v1/nothing-here`);
    assert.equal(v1.status, 404);
    for (const path of ['/assets/..%2f..%2fpackage.json', '/..%2f..%2fpackage.json', '/assets/missing-123.js']) {
      const res = await fetch(`${fx.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /"name":\s*"yumen"/);
    }
  });

  test('first run: the one-time link creates the three administrators, then walks the sysadmin through a department and key', async () => {
    assert.ok(fx.yumen.setupUrl, 'a first start prints a setup link');
    const token = new URL(fx.yumen.setupUrl!).searchParams.get('token')!;
    const w = await openPage(browser);
    const { page } = w;
    // A wrong token: the API's refusal is shown in Chinese.
    await page.goto(`${fx.url}/setup?token=wrong-token`);
    await page.getByTestId('setup').waitFor();
    for (const r of ['sysadmin', 'secadmin', 'auditor']) await page.getByTestId(`${r}-password`).fill(PASSWORD);
    await page.getByTestId('setup-create').click();
    await page.getByTestId('setup-error').getByText('初始化令牌无效或已使用').waitFor();
    await page.goto(`${fx.url}/setup?token=${token}`);
    for (const r of ['sysadmin', 'secadmin', 'auditor']) await page.getByTestId(`${r}-password`).fill(PASSWORD);
    await screenshot(page, 'setup');
    await page.getByTestId('setup-create').click();
    await page.getByTestId('model-form').waitFor();
    await page.getByTestId('setup-skip-model').click();
    await page.getByTestId('setup-department').fill('财政局');
    await page.getByTestId('setup-department-create').click();
    const secret = await page.getByTestId('secret-value').inputValue();
    assert.match(secret, /^\S{20,}$/);
    await page.getByTestId('setup-next').click();
    await page.getByTestId('setup-finish').click();
    await page.getByTestId('nav').waitFor();
    const nav = await page.getByTestId('nav').locator('[data-testid^=nav-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    assert.deepEqual(nav, ['nav-overview', 'nav-models', 'nav-departments', 'nav-keys', 'nav-apps', 'nav-eval']);
    assertNoErrors(w);
    await w.close();

    // The key works on /v1 at once; the token is spent.
    const models = await fetch(`${fx.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(models.status, 200);
    const again = await fetch(`${fx.url}/api/setup`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: fx.url },
      body: JSON.stringify({ token, sysadmin: { username: 'x1', password: PASSWORD }, secadmin: { username: 'x2', password: PASSWORD }, auditor: { username: 'x3', password: PASSWORD } }),
    });
    assert.equal(again.status, 403);
    assert.deepEqual(await (await fetch(`${fx.url}/api/setup`)).json(), { pending: false, oidc: false });
    deptA = (await createDepartmentRepository(fx.yumen.store.db).list()).find((d) => d.name === '财政局')!.id;
  });

  test('each role sees only its own navigation (三员分立)', async () => {
    await fx.addUser('member-a', [{ role: 'member', tenantId: deptA }]);
    await fx.addUser('admin-a', [{ role: 'dept_admin', tenantId: deptA }]);
    const expected: Record<string, string[]> = {
      secadmin: ['overview', 'policies'],
      auditor: ['overview', 'audit'],
      'admin-a': ['overview', 'chat', 'departments', 'keys', 'knowledge', 'apps', 'eval'],
      'member-a': ['chat', 'keys', 'knowledge', 'apps'],
    };
    for (const [user, pages] of Object.entries(expected)) {
      const w = await openPage(browser);
      await signIn(w.page, fx.url, user, PASSWORD);
      const nav = await w.page.getByTestId('nav').locator('[data-testid^=nav-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice(4)));
      assert.deepEqual(nav, pages, user);
      // A page outside the role's console is not reachable by typing its address either.
      await w.page.goto(`${fx.url}/models`);
      await w.page.getByTestId('nav').waitFor();
      assert.equal(await w.page.getByTestId('model-form').count(), 0, user);
      assertNoErrors(w);
      await w.close();
    }
  });

  test('sign-in errors come in the user\'s language, and the English switch is remembered', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await page.goto(`${fx.url}/`);
    await page.locator('#username').fill('sysadmin');
    await page.locator('#password').fill('wrong-password');
    await page.locator('button[type=submit]').click();
    await page.getByTestId('signin-error').getByText('用户名或密码错误').waitFor();
    await screenshot(page, 'signin-zh');
    await page.getByTestId('lang-switch').click();
    await page.locator('button[type=submit]').click();
    await page.getByTestId('signin-error').getByText('Wrong user name or password').waitFor();
    await page.reload();
    await page.getByText('Sign in', { exact: true }).first().waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('yumen.lang')), 'en');
    await screenshot(page, 'signin-en');
    assertNoErrors(w);
    await w.close();
  });

  test('first load of the sign-in page stays under 500 KB gzip', async () => {
    const w = await openPage(browser);
    const sizes: Promise<number>[] = [];
    w.page.on('requestfinished', (req) => {
      if (req.url().startsWith(fx.url) && !req.url().includes('/api/')) sizes.push(req.sizes().then((s) => s.responseBodySize));
    });
    await w.page.goto(`${fx.url}/`, { waitUntil: 'networkidle' });
    await w.page.getByTestId('signin').waitFor();
    const total = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
    console.log(`sign-in first load: ${(total / 1024).toFixed(1)} KB on the wire (gzip)`);
    assert.ok(total > 10_000, 'measured something');
    assert.ok(total < 500 * 1024, `sign-in first load ${total} bytes`);
    assertNoErrors(w);
    await w.close();
  });
});
