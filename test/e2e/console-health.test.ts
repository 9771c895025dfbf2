import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkipReason, launch, openPage, signIn, type WatchedPage } from './browser.ts';
import { PASSWORD, sessionCookie, startConsoleFixture, type ConsoleFixture } from './fixture.ts';

const skip = browserSkipReason();

describe('console: backend health, private queues, a chunk that fails to load', { skip: skip ?? false }, () => {
  let fx: ConsoleFixture;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  const open = async (user: string, locale?: string) => {
    const w = await openPage(browser, { locale });
    pages.push(w);
    await signIn(w.page, fx.url, user, PASSWORD);
    return w;
  };

  before(async () => {
    // A long cool-down so the failed backend is still cooling down when the page reads it; one retry.
    fx = await startConsoleFixture({
      local: { cooldown_ms: 600_000, retries: 1, backoff_ms: 0 },
      extra: { limits: { backends: { 'local-chat': { max_concurrency: 1 }, 'cloud-chat': { max_concurrency: 1 } } } },
    });
    await fx.seed();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await fx?.close();
  });

  test('models health: a backend that failed is cooling down, the other healthy; sysadmin only', async () => {
    const key = await fx.yumen.key('财政局');
    fx.internal.enqueue({ status: 503 }); // first try fails, the retry succeeds: the backend is ejected for its cool-down
    const r = await fetch(`${fx.yumen.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'local-chat', messages: [{ role: 'user', content: '你好' }] }) });
    assert.equal(r.status, 200);

    const health = await (await fetch(`${fx.url}/api/console/models/health`, { headers: { cookie: await sessionCookie(fx.url, 'sysadmin') } })).json();
    const byModel = new Map(health.data.map((m: any) => [m.model, m.backends]));
    const [local] = byModel.get('local-chat') as any[];
    assert.equal(local.state, 'cooling_down');
    assert.equal(local.in_flight, 0);
    assert.ok(local.cooldown_until > Date.now());
    assert.equal((byModel.get('cloud-chat') as any[])[0].state, 'healthy');
    // Hostile: the pool's state is the system administrator's, not an auditor's or a member's.
    for (const user of ['auditor', 'member-a']) {
      assert.equal((await fetch(`${fx.url}/api/console/models/health`, { headers: { cookie: await sessionCookie(fx.url, user) } })).status, 403, user);
    }
    assert.equal((await fetch(`${fx.url}/api/console/models/health`)).status, 401);

    const w = await open('sysadmin');
    await w.page.getByTestId('nav-models').click();
    const row = w.page.getByTestId('model-table').locator('tr', { hasText: 'local-chat' });
    await row.getByTestId('backend-state').waitFor();
    assert.equal(await row.getByTestId('backend-state').getAttribute('data-state'), 'cooling_down');
    assert.match(await row.getByTestId('backend-state').innerText(), /冷却中/);
    const cloud = w.page.getByTestId('model-table').locator('tr', { hasText: 'cloud-chat' });
    assert.match(await cloud.getByTestId('backend-state').innerText(), /正常/);
    assert.deepEqual(w.errors, []);
  });

  test('overview: queue depth of private backends only', async () => {
    const auditor = await sessionCookie(fx.url, 'auditor');
    const sysadmin = await sessionCookie(fx.url, 'sysadmin');
    const key = await fx.yumen.key('财政局');
    // local-chat takes one call at a time: while a slow one runs, a second waits in its queue.
    fx.internal.enqueue({ delayMs: 3000 }, { delayMs: 0 });
    const call = () => fetch(`${fx.yumen.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'local-chat', messages: [{ role: 'user', content: '你好' }] }) });
    const calls = [call(), call()];
    let busy: any;
    for (let i = 0; i < 100; i++) {
      busy = await (await fetch(`${fx.url}/api/console/overview`, { headers: { cookie: auditor } })).json();
      if (busy.private_queues[0]?.queued === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(busy.private_queues, [{ backend: 'local-chat', active: 1, queued: 1 }]);
    const health = await (await fetch(`${fx.url}/api/console/models/health`, { headers: { cookie: sysadmin } })).json();
    assert.equal(health.data.find((m: any) => m.model === 'local-chat').backends[0].in_flight, 1);
    for (const r of await Promise.all(calls)) assert.equal(r.status, 200);

    const overview = await (await fetch(`${fx.url}/api/console/overview`, { headers: { cookie: auditor } })).json();
    // Hostile: cloud-chat has a queue too, but it is an external model, not a private backend.
    assert.deepEqual(overview.private_queues, [{ backend: 'local-chat', active: 0, queued: 0 }]);

    const w = await open('auditor');
    await w.page.getByTestId('nav-overview').click();
    const card = w.page.getByTestId('overview-queues');
    await card.locator('tr', { hasText: 'local-chat' }).waitFor();
    assert.match(await card.innerText(), /域内后端排队/);
    assert.doesNotMatch(await card.innerText(), /cloud-chat/);
    assert.deepEqual(w.errors, []);
  });

  test('a page chunk that fails to load says so in the user\'s language, not an endless spinner', async () => {
    for (const [locale, text] of [['zh-CN', /页面加载失败/], ['en', /failed to load/]] as const) {
      const w = await open('sysadmin', locale);
      if (locale === 'en') {
        await w.page.evaluate(() => localStorage.setItem('yumen.lang', 'en'));
        await w.page.reload();
        await w.page.getByTestId('whoami').waitFor();
      }
      await w.page.route(/\/assets\/Models-[^/]*\.js$/, (route) => route.abort());
      await w.page.getByTestId('nav-models').click();
      await w.page.getByTestId('chunk-failed').waitFor();
      assert.match(await w.page.getByTestId('chunk-failed').innerText(), text);
      // Another page still opens: the boundary is per page.
      await w.page.getByTestId('nav-keys').click();
      await w.page.getByTestId('chunk-failed').waitFor({ state: 'detached' });
    }
  });
});
