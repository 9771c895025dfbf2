import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertNoErrors, browserSkipReason, chooseOption, openPage, screenshot, signIn } from './browser.ts';
import { PASSWORD, sessionCookie, useSeededConsole } from './fixture.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';
import { digitsBitmap } from '../knowledge/fixtures.ts';

const skip = browserSkipReason();
const MOBILE = '13912345678';
const EMAIL = 'zhangwei@example.com';

describe('console chat shows what left the domain', { skip: skip ?? false }, () => {
  const suite = useSeededConsole();

  before(() => {
    // The external model echoes what it received, so the answer shows the placeholders restored.
    suite.fx.external.setDefault((req) => ({ content: `收到：${req.body.messages.at(-1).content}` }));
  });

  test('personal data to an external model: the panel shows placeholders; the upstream received no raw value', async () => {
    const { fx, browser } = suite;
    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, fx.url, 'member-a', PASSWORD);
    await page.getByTestId('nav-chat').click();
    await chooseOption(page, page.getByTestId('chat-model'), 'cloud-chat');
    await page.getByTestId('chat-input').fill(`请回电话 ${MOBILE}，或发邮件到 ${EMAIL}。`);
    await page.getByTestId('chat-send').click();
    await page.getByTestId('panel').waitFor();
    assert.equal(await page.getByTestId('panel-route').innerText(), '域外');
    assert.ok(Number(await page.getByTestId('panel-redactions').innerText()) >= 2);
    const outbound = await page.getByTestId('panel-outbound').innerText();
    assert.doesNotMatch(outbound, new RegExp(`${MOBILE}|${EMAIL}`));
    assert.match(outbound, /〔[^〕]+〕/);
    // The answer comes back with the values restored for the user.
    const answer = await page.getByTestId('turn-assistant').innerText();
    assert.match(answer, new RegExp(MOBILE));
    const sent = JSON.stringify(fx.external.requests.map((r) => r.body));
    assert.ok(fx.external.requests.length >= 1);
    assert.doesNotMatch(sent, new RegExp(`${MOBILE}|${EMAIL}`), 'the external upstream received a raw value');
    await screenshot(page, 'chat');
    assertNoErrors(w);
    await w.close();
  });

  test('classified content is refused before any model, and the refusal is shown in the user\'s language', async () => {
    const { fx, browser } = suite;
    const before = fx.external.requests.length;
    const w = await openPage(browser);
    await signIn(w.page, fx.url, 'member-a', PASSWORD);
    await w.page.getByTestId('nav-chat').click();
    await w.page.getByTestId('chat-input').fill('【绝密】本文件内容请总结。');
    await w.page.getByTestId('chat-send').click();
    await w.page.getByTestId('chat-error').getByText('涉密').waitFor();
    assert.equal(fx.external.requests.length, before);
    assertNoErrors(w);
    await w.close();
  });

  test('an attached image of a phone number: refused toward the external model, naming the attachment; a private model gets it', async () => {
    const { fx, browser } = suite;
    const png = Buffer.from(encodePng(digitsBitmap('138 0013 8000')));
    const before = fx.external.requests.length;
    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, fx.url, 'member-a', PASSWORD);
    await page.getByTestId('nav-chat').click();
    await chooseOption(page, page.getByTestId('chat-model'), 'cloud-chat');
    await page.getByTestId('chat-attach-input').setInputFiles({ name: '名片.png', mimeType: 'image/png', buffer: png });
    await page.getByTestId('chat-pending').getByText('名片.png').waitFor();
    await page.getByTestId('chat-input').fill('请识别附件中的号码');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('chat-error').getByText('附件').waitFor();
    assert.equal(await page.getByTestId('chat-attachment').first().innerText(), '名片.png');
    assert.equal(fx.external.requests.length, before, 'the external model received nothing');
    await screenshot(page, 'chat-attachment');
    // The same image to the department's private model goes as it is; the panel says nothing left the domain.
    await chooseOption(page, page.getByTestId('chat-model'), 'local-chat');
    await page.getByTestId('chat-attach-input').setInputFiles({ name: '名片.png', mimeType: 'image/png', buffer: png });
    await page.getByTestId('chat-input').fill('再试一次');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('panel').waitFor();
    assert.equal(await page.getByTestId('panel-route').innerText(), '域内');
    assert.ok(JSON.stringify(fx.internal.requests.at(-1)!.body).includes(png.toString('base64')), 'the private model got the image');
    assertNoErrors(w);
    await w.close();
  });

  test('hostile: chatting as another department, or as an organisation-wide administrator, is refused', async () => {
    const { fx, depts } = suite;
    const cookie = await sessionCookie(fx.url, 'member-a');
    const chat = (department_id: string, c = cookie) => fetch(`${fx.url}/api/console/chat`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: c, origin: fx.url },
      body: JSON.stringify({ department_id, model: 'cloud-chat', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const other = await chat(depts.B);
    assert.equal(other.status, 403);
    assert.equal((await other.json()).error.param, 'department_id');
    const anon = await chat(depts.A, '');
    assert.equal(anon.status, 401);
    assert.equal((await chat(depts.A, await sessionCookie(fx.url, 'sysadmin'))).status, 403);
  });

  test('hostile: content parts the console does not take are a 400 in the OpenAI shape, before any model', async () => {
    const { fx, depts } = suite;
    const cookie = await sessionCookie(fx.url, 'member-a');
    const before = fx.external.requests.length + fx.internal.requests.length;
    for (const content of [
      [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }],
      [{ type: 'file', file: { file_data: 'data:text/plain;base64,AAAA' } }],
      [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' }, extra: 1 }],
      [],
    ]) {
      const res = await fetch(`${fx.url}/api/console/chat`, {
        method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: fx.url },
        body: JSON.stringify({ department_id: depts.A, model: 'cloud-chat', messages: [{ role: 'user', content }] }),
      });
      assert.equal(res.status, 400, JSON.stringify(content));
      assert.equal((await res.json()).error.type, 'invalid_request_error');
    }
    assert.equal(fx.external.requests.length + fx.internal.requests.length, before);
  });
});
