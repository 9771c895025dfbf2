import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { chatCompletionBody, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { assertNoErrors, browserSkipReason, chooseOption, openPage, screenshot, signIn } from './browser.ts';
import { PASSWORD, sessionCookie, useSeededConsole } from './fixture.ts';

const skip = browserSkipReason();
const LETTERS = 'ABCD';

/** The private test upstream knows 问题0 and 问题1 and gets 问题2 and 问题3 wrong: 2 of 4, 50%. */
function designed(req: RecordedRequest) {
  const prompt: string = req.body.messages.at(-1).content;
  const k = Number(/问题(\d)是什么\n(?:.*\n){4}答案是：$/.exec(prompt)?.[1] ?? 9);
  return { json: chatCompletionBody(`答案是${LETTERS[(k + (k < 2 ? 0 : 1)) % 4]}`, req.body.model) };
}

/** As a user writes it: YAML (uploaded as JSON in the test), tasks with their items inline; the page's model picker overrides `models`. */
const SUITE_YAML = `name: 控制台会计评测
models: [cloud-chat]
retries: 0
tasks:
  - name: 会计
    type: mcq
    shots: 0
    items:
${[0, 1, 2, 3].map((k) => `      - { question: 问题${k}是什么, A: 甲, B: 乙, C: 丙, D: 丁, answer: ${LETTERS[k]} }`).join('\n')}
`;

describe('console evaluation: start a suite, follow it, read its scores and report', { skip: skip ?? false }, () => {
  const suite = useSeededConsole();

  test('a department admin sees the API\'s error for a suite with a file path, then runs one and reads 50% for 2 of 4', async () => {
    const { fx, browser } = suite;
    fx.internal.setDefault(designed);
    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, fx.url, 'admin-a', PASSWORD);
    await page.getByTestId('nav-eval').click();
    await page.getByTestId('page-eval').waitFor();

    // A file path is refused by the API; its message is shown, with the Chinese lead-in for an English-only message.
    await page.getByTestId('eval-suite').fill('name: s\nmodels: [local-chat]\ntasks:\n  - { name: t, type: qa, metric: exact, dataset: /etc/passwd }\n');
    await page.getByTestId('eval-start').click();
    assert.match(await page.getByTestId('eval-error').innerText(), /^请求有误：.*tasks\[0\]\.dataset: file paths are not accepted/);
    // Text that is not a mapping never reaches the API.
    await page.getByTestId('eval-suite').fill('- just\n- a list\n');
    await page.getByTestId('eval-start').click();
    await page.getByTestId('eval-error').getByText('套件须为一个映射（对象）').waitFor();

    // The suite comes as an uploaded JSON file this time: the box shows it as it is.
    const json = JSON.stringify(parseYaml(SUITE_YAML), null, 2);
    await page.getByTestId('page-eval').locator('input[type=file]').setInputFiles({ name: 'suite.json', mimeType: 'application/json', buffer: Buffer.from(json) });
    await page.waitForFunction((text) => (document.querySelector('[data-testid=eval-suite]') as HTMLTextAreaElement).value === text, json);
    await chooseOption(page, page.getByTestId('eval-models'), 'local-chat');
    await page.keyboard.press('Escape');
    const before = fx.external.requests.length;
    await page.getByTestId('eval-start').click();
    // The results appear once the run is done (the page polls); the score is the designed one.
    const score = page.getByTestId('eval-score-local-chat-会计');
    await score.waitFor({ timeout: 60_000 });
    assert.equal(await score.innerText(), '50%');
    assert.equal(await page.getByTestId('eval-scores').getByText('cloud-chat').count(), 0, 'the picked model replaced the suite\'s own');
    assert.equal(fx.external.requests.length, before, 'nothing went to the suite\'s own external model');
    assert.equal(fx.internal.requests.filter((r) => JSON.stringify(r.body).includes('问题')).length, 4);
    await page.getByTestId('eval-chart').locator('canvas').waitFor();
    // The runs table: the run, done, 4 of 4.
    const row = page.getByTestId('eval-runs').locator('tbody tr').first();
    await row.getByText('已完成').waitFor();
    assert.match(await row.innerText(), /控制台会计评测[\s\S]*财政局[\s\S]*4\/4/);

    // The report opens in a new tab of the same origin (the session cookie goes along) and names the suite.
    const [report] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId('eval-report').click()]);
    await report.waitForLoadState();
    assert.match(report.url(), /\/api\/eval\/runs\/[0-9a-f-]+\/report$/);
    assert.match(await report.locator('body').innerText(), /控制台会计评测/);
    await report.close();
    await page.getByTestId('eval-chart').scrollIntoViewIfNeeded();
    await screenshot(page, 'eval');
    assertNoErrors(w);
    await w.close();
  });

  test('hostile: another department\'s admin neither lists the run nor reads it; a member has no evaluation page', async () => {
    const { fx, browser, depts } = suite;
    await fx.addUser('admin-b', [{ role: 'dept_admin', tenantId: depts.B }]);
    const own = await (await fetch(`${fx.url}/api/eval/runs`, { headers: { cookie: await sessionCookie(fx.url, 'admin-a') } })).json();
    assert.ok(own.data.length >= 1, JSON.stringify(own));
    const cookie = await sessionCookie(fx.url, 'admin-b');
    const listed = await fetch(`${fx.url}/api/eval/runs`, { headers: { cookie } });
    assert.equal(listed.status, 200);
    assert.deepEqual((await listed.json()).data, []);
    for (const path of [`/api/eval/runs/${own.data[0].id}`, `/api/eval/runs/${own.data[0].id}/report`]) {
      assert.equal((await fetch(`${fx.url}${path}`, { headers: { cookie } })).status, 404, path);
    }
    const w = await openPage(browser);
    await signIn(w.page, fx.url, 'member-a', PASSWORD);
    await w.page.getByTestId('nav-chat').waitFor();
    assert.equal(await w.page.getByTestId('nav-eval').count(), 0);
    await w.close();
  });
});
