import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { assertNoErrors, browserSkipReason, chooseOption, openPage, screenshot, signIn } from './browser.ts';
import { PASSWORD, sessionCookie, useSeededConsole } from './fixture.ts';

const skip = browserSkipReason();

describe('console knowledge bases: drag-and-drop upload with progress, documents, search', { skip: skip ?? false }, () => {
  const suite = useSeededConsole();

  test('a member creates a base, uploads many files with a progress bar per batch and per file, and finds a ranked passage with its source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yumen-kb-ui-'));
    const files = [
      ['差旅费管理办法.txt', '第一条 为规范差旅费管理，制定本办法。\n第二条 出差人员乘坐高铁二等座，住宿标准每晚不超过五百元。'],
      ['会议费管理办法.md', '# 会议费\n会议费用包括会议室租金、资料印刷费。每次会议人数不超过五十人。'],
      ['培训费管理办法.txt', '培训费实行预算管理，培训期间的伙食费按每人每天一百元标准执行。'],
    ].map(([name, text]) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    });
    const { fx, browser } = suite;
    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, fx.url, 'member-a', PASSWORD);
    await page.getByTestId('nav-knowledge').click();
    await page.getByTestId('kb-name').fill('财务制度');
    await page.getByTestId('kb-create').click();
    await page.getByTestId('kb-drop').waitFor();
    await page.locator('input[type=file]').setInputFiles(files);
    await page.getByTestId('kb-progress').getByText('3/3').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('kb-file-status').filter({ hasText: 'done' }).count(), 3);
    await page.getByTestId('kb-docs').getByText('差旅费管理办法.txt').waitFor();
    await page.getByTestId('kb-search').locator('input').fill('住宿标准');
    await page.getByTestId('kb-search').locator('input').press('Enter');
    await page.getByTestId('kb-hits').getByText('差旅费管理办法.txt').first().waitFor();
    assert.match(await page.getByTestId('kb-hits').innerText(), /五百元/);
    await screenshot(page, 'knowledge');

    // A chat grounded on the base: the answer's [1] becomes a citation with its source.
    fx.internal.setDefault({ content: '住宿标准每晚不超过五百元[1]。' });
    await page.getByTestId('nav-chat').click();
    await chooseOption(page, page.getByTestId('chat-model'), 'local-chat');
    await chooseOption(page, page.getByTestId('chat-kb'), '财务制度');
    await page.keyboard.press('Escape');
    await page.getByTestId('chat-input').fill('出差住宿标准是多少？');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('chat-citations').getByText('差旅费管理办法.txt').waitFor();
    assert.match(JSON.stringify(fx.internal.requests.at(-1)!.body.messages), /五百元/, 'the passage was in the prompt');
    assertNoErrors(w);
    await w.close();
  });

  test('hostile: the console knowledge API acts only for the caller\'s own departments', async () => {
    const { fx, depts } = suite;
    const cookie = await sessionCookie(fx.url, 'member-a');
    const asB = await fetch(`${fx.url}/api/console/kb`, { headers: { cookie, 'x-yumen-department': depts.B } });
    assert.equal(asB.status, 403);
    const none = await fetch(`${fx.url}/api/console/kb`, { headers: { 'x-yumen-department': depts.A } });
    assert.equal(none.status, 401);
    const mine = await fetch(`${fx.url}/api/console/kb`, { headers: { cookie, 'x-yumen-department': depts.A } });
    assert.deepEqual((await mine.json()).data.map((b: { name: string }) => b.name), ['财务制度']);
  });
});
