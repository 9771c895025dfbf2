import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { filesInText } from '../../src/knowledge/ingest/embedded-files.ts';
import { attachmentsOf } from '../../src/gateway/attachments.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';
import { detectFormat } from '../../src/knowledge/ingest/format.ts';
import { digitsBitmap, pdf, wordFile } from '../knowledge/fixtures.ts';

/** A mail as an `.eml` holds it: a text part and a Word file in base64, in lines of 76 characters. */
function mail(attachment: Uint8Array): string {
  const b64 = Buffer.from(attachment).toString('base64').replace(/(.{76})/g, '$1\r\n');
  return `From: a@example.com\r\nSubject: =?UTF-8?B?5ZCN5Y2V?=\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n请看附件。\r\n--XX\r\nContent-Type: application/octet-stream; name="list.docx"\r\n` +
    `Content-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--XX--\r\n`;
}

test('files pasted into text as base64 are found with their format: a mail\'s attachment, a data: URL, a picture in JSON', () => {
  const docx = wordFile('联系人张建国，手机13812345678');
  assert.deepEqual(filesInText(mail(docx)).map((f) => [f.name, f.bytes.length]), [['embedded.docx', docx.length]]);
  const report = pdf(['Staff list', 'Tel 13812345678']);
  const pasted = `请看这个文件 data:application/pdf;base64,${Buffer.from(report).toString('base64')} 帮我总结`;
  assert.deepEqual(filesInText(pasted).map((f) => f.name), ['embedded.pdf']);
  const png = encodePng(digitsBitmap('1380'));
  assert.deepEqual(filesInText(JSON.stringify({ avatar: Buffer.from(png).toString('base64') })).map((f) => f.name), ['embedded.png']);
  // URL-safe base64 on one line, as URLs and JWT-like tokens carry it.
  const urlSafe = Buffer.from(report).toString('base64url');
  assert.ok(/[-_]/.test(urlSafe));
  assert.deepEqual(filesInText(`https://example.com/upload?file=${urlSafe}`).map((f) => [f.name, f.bytes.length]), [['embedded.pdf', report.length]]);
  // A Word file's format is known by the names in its central directory, however far down they stand.
  assert.equal(detectFormat('', docx), 'docx');
});

test('hostile: a file of a kind the ingest does not read (an old Word file, RAR, 7-Zip) is still a file — unread, not ignored', () => {
  const ole = new Uint8Array(600);
  ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  assert.deepEqual(filesInText(`附件：${Buffer.from(ole).toString('base64')}`).map((f) => f.name), ['embedded.bin']);
  const rar = Buffer.concat([Buffer.from('Rar!\x1a\x07\x00', 'latin1'), Buffer.alloc(200, 7)]);
  assert.deepEqual(filesInText(rar.toString('base64')).map((f) => f.name), ['embedded.bin']);
});

test('hostile: base64 that is no file stays with the text guard — text, gzip of text, a key, a hash, an icon', () => {
  for (const text of [
    Buffer.from('这是一段很长的中文文字，用 base64 编码后也只是文字而已，不是文件。').toString('base64'),
    gzipSync(Buffer.from('联系人张建国，手机13812345678。'.repeat(20))).toString('base64'),
    'sk-' + 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz01',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855e3b0c44298fc1c149afbf4c8996fb924',
    'short dGV4dA==',
    // An icon inlined in a pasted stylesheet: under 2,000 pixels, as a document's logos, nothing to read.
    `.logo { background: url(data:image/png;base64,${Buffer.from(encodePng({ width: 16, height: 16, channels: 1, data: new Uint8Array(256) })).toString('base64')}) }`,
  ]) assert.deepEqual(filesInText(text), [], text.slice(0, 40));
});

test('a body\'s attachments include the files in its messages\' text, each apart from the text it stands in', () => {
  const docx = wordFile('身份证11010519491231002X');
  const body = { messages: [
    { role: 'user', content: `帮我看看这封邮件：\n${mail(docx)}` },
    { role: 'user', content: [{ type: 'text', text: '还有这个' }, { type: 'text', text: mail(docx) }] },
  ] };
  const found = attachmentsOf(body);
  assert.deepEqual(found.map((a) => [a.path, a.part, a.name]), [
    ['/messages/0/content', '/messages/0/content#0', 'embedded.docx'],
    ['/messages/1/content/1/text', '/messages/1/content/1#0', 'embedded.docx'],
  ]);
});
