import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { assertNoErrors, browserSkipReason, chooseOption, openPage, screenshot, signIn } from './browser.ts';
import { PASSWORD, sessionCookie, useSeededConsole } from './fixture.ts';

const skip = browserSkipReason();

describe('console apps and datasets: define an app, chat with it, export training data', { skip: skip ?? false }, () => {
  const suite = useSeededConsole();

  test('a department admin creates an app, a bad model shows the API error in Chinese, the export offers its files', async () => {
    const { fx, browser } = suite;
    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, fx.url, 'admin-a', PASSWORD);
    await page.getByTestId('nav-apps').click();
    await page.getByTestId('app-new').click();
    await page.getByTestId('app-slug').fill('travel-qa');
    await page.getByTestId('app-name').fill('差旅报销助手');
    await page.getByTestId('app-model').locator('input').fill('no-such-model');
    await page.getByTestId('app-prompt').fill('你是{{unit}}的差旅报销助手。');
    await page.getByText('变量: unit').waitFor();
    await page.getByTestId('app-welcome').fill('您好，请问差旅报销有什么问题？');
    await page.getByTestId('app-questions').locator('input').fill('住宿费标准是多少？');
    await page.getByTestId('app-questions').locator('input').press('Enter');
    await page.getByTestId('app-save').click();
    // The API's message, in the user's language: the Chinese half of "English. / 中文。".
    assert.equal(await page.getByTestId('app-form-error').innerText(), '模型未配置。');

    await page.getByTestId('app-model').locator('input').fill('local-chat');
    await page.keyboard.press('Escape');
    await page.getByTestId('app-save').click();
    await page.getByTestId('apps-table').getByText('app:travel-qa').waitFor();
    assert.match(await page.getByTestId('apps-table').innerText(), /差旅报销助手[\s\S]*local-chat/);
    const saved = await (await fetch(`${fx.url}/api/apps/travel-qa`, { headers: { cookie: await sessionCookie(fx.url, 'admin-a') } })).json();
    assert.equal(saved.welcome, '您好，请问差旅报销有什么问题？');
    assert.deepEqual(saved.suggested_questions, ['住宿费标准是多少？']);

    // The export: stats shown, every file offered as a download of the JSON the API answered.
    await page.getByTestId('dataset-export').click();
    await page.getByTestId('dataset-stats').getByText('exchanges: 0').waitFor();
    const files = await page.getByTestId('dataset-file').allInnerTexts();
    assert.ok(files.includes('dataset_info.json'), files.join());
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dataset-file').filter({ hasText: 'dataset_info.json' }).click()]);
    assert.equal(download.suggestedFilename(), 'dataset_info.json');
    const info = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    assert.equal(typeof info, 'object');
    assert.ok(Object.values(info).some((d: any) => d.formatting === 'alpaca'), JSON.stringify(info));
    await screenshot(page, 'apps');
    assertNoErrors(w);
    await w.close();
  });

  test('a member chats with the app: listed as an app, its welcome and suggested questions shown, its {{variable}} filled in', async () => {
    const { fx, browser } = suite;
    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, fx.url, 'member-a', PASSWORD);
    await page.getByTestId('nav-chat').click();
    await chooseOption(page, page.getByTestId('chat-model'), '差旅报销助手 · 应用');
    await page.getByTestId('chat-app-welcome').getByText('您好，请问差旅报销有什么问题？').waitFor();
    await page.getByTestId('chat-app-question').click();
    assert.equal(await page.getByTestId('chat-input').inputValue(), '住宿费标准是多少？');
    // The prompt's {{unit}} is filled from the page; the app's prompt reaches its private model before the question.
    fx.internal.setDefault({ content: '每晚不超过五百元。' });
    await page.getByTestId('chat-var-unit').fill('财政局');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('turn-assistant').getByText('每晚不超过五百元。').waitFor();
    const sent = fx.internal.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>;
    assert.deepEqual(sent.map((m) => m.role), ['system', 'user']);
    assert.equal(sent[0].content, '你是财政局的差旅报销助手。');
    assert.equal(sent[1].content, '住宿费标准是多少？');
    // Members read the catalogue but may not change it.
    await page.getByTestId('nav-apps').click();
    await page.getByTestId('apps-table').getByText('app:travel-qa').waitFor();
    assert.equal(await page.getByTestId('app-new').count(), 0);
    assert.equal(await page.getByTestId('dataset-card').count(), 0);
    assertNoErrors(w);
    await w.close();
  });

  test('hostile: another department neither sees the app nor exports its data', async () => {
    const { fx, depts } = suite;
    const cookie = await sessionCookie(fx.url, 'member-b');
    const listed = await fetch(`${fx.url}/api/console/chat/models?department_id=${depts.B}`, { headers: { cookie } });
    assert.equal(listed.status, 200);
    assert.ok(!(await listed.json()).data.some((m: { id: string }) => m.id === 'app:travel-qa'));
    const exported = await fetch(`${fx.url}/api/datasets/export`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json', origin: fx.url },
      body: JSON.stringify({ department_id: depts.A, format: 'alpaca' }),
    });
    assert.equal(exported.status, 403);
  });

  test('the admin edits the app and deletes it after confirming', async () => {
    const { fx, browser } = suite;
    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, fx.url, 'admin-a', PASSWORD);
    await page.getByTestId('nav-apps').click();
    await page.getByTestId('app-edit-travel-qa').click();
    assert.equal(await page.getByTestId('app-slug').isDisabled(), true, 'the slug is fixed once created');
    await page.getByTestId('app-name').fill('差旅助手');
    await page.getByTestId('app-save').click();
    await page.getByTestId('apps-table').getByText('差旅助手', { exact: true }).waitFor();
    const cookie = await sessionCookie(fx.url, 'admin-a');
    assert.equal((await (await fetch(`${fx.url}/api/apps/travel-qa`, { headers: { cookie } })).json()).name, '差旅助手');
    await page.getByTestId('app-delete-travel-qa').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('apps-table').getByText('app:travel-qa').waitFor({ state: 'detached' });
    assert.equal((await fetch(`${fx.url}/api/apps/travel-qa`, { headers: { cookie } })).status, 404);
    assertNoErrors(w);
    await w.close();
  });
});
