import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard } from '../../src/guard/index.ts';
import { AttachmentScanner, MAX_ATTACHMENTS_READ, attachmentsOf, decodeDataUrl } from '../../src/gateway/attachments.ts';

const guard = createGuard({ scanCacheEntries: 0, tagger: false });
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const body = (...parts: unknown[]) => ({ model: 'm', messages: [{ role: 'system', content: '你好' }, { role: 'user', content: parts }] });

test('the inline files and images of a body, with a name that says their format', () => {
  const found = attachmentsOf(body(
    { type: 'text', text: '看看附件' },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${b64('png bytes')}` } },
    { type: 'file', file: { filename: '纪要.docx', file_data: `data:application/octet-stream;base64,${b64('docx bytes')}` } },
    { type: 'file', file: { file_data: `data:application/pdf;base64,${b64('%PDF')}` } },
    { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
  ));
  assert.deepEqual(found.map((a) => [a.path, a.name, Buffer.from(a.bytes!).toString()]), [
    ['/messages/1/content/1/image_url/url', 'attachment.png', 'png bytes'],
    ['/messages/1/content/2/file/file_data', '纪要.docx', 'docx bytes'],
    ['/messages/1/content/3/file/file_data', 'attachment.pdf', '%PDF'],
  ]);
});

test('data URLs: base64, percent-encoded, bare base64; what is none is no attachment', () => {
  assert.equal(Buffer.from(decodeDataUrl(`data:text/plain;charset=utf-8;base64,${b64('张三')}`)!.bytes).toString(), '张三');
  assert.equal(Buffer.from(decodeDataUrl(`data:,${encodeURIComponent('手机')}`)!.bytes).toString(), '手机');
  assert.equal(decodeDataUrl(`data:,${encodeURIComponent('手机')}`)!.mime, 'text/plain');
  assert.equal(Buffer.from(decodeDataUrl(b64('联系电话 13800138000'))!.bytes).toString(), '联系电话 13800138000');
  for (const v of ['https://x/y.png', 'data:text/plain,%E5%BC', 'not base64 at all', 'abc']) assert.equal(decodeDataUrl(v), null, v);
});

test('a sound is an attachment too: no speech is read, so it is one that cannot be read', async () => {
  const request = body({ type: 'input_audio', input_audio: { data: b64('RIFF....WAVE'), format: 'wav' } });
  assert.deepEqual(attachmentsOf(request).map((a) => [a.path, a.name]), [['/messages/1/content/0/input_audio/data', 'audio.wav']]);
  const scanner = new AttachmentScanner(async (name) => { throw new Error(`${name}: unsupported`); });
  assert.deepEqual(await scanner.scan('d1', guard, request), { findings: [], unread: 1 });
});

test('hostile: malformed bodies and parts are no attachments, never an exception', () => {
  for (const b of [null, 'text', 42, { messages: 'x' }, { messages: [null, 1, { content: 'text' }, { content: [null, 7, { image_url: 5 }, { file: { file_data: 9 } }] }] }]) {
    assert.deepEqual(attachmentsOf(b), []);
  }
});

test('the scanner reads each attachment once per department, and counts the files it cannot read', async () => {
  const reads: string[] = [];
  const scanner = new AttachmentScanner(async (name, bytes) => {
    reads.push(name);
    if (name.endsWith('.bin')) throw new Error('not a file of a known kind');
    return Buffer.from(bytes).toString();
  });
  const request = body(
    { type: 'file', file: { filename: '名单.txt', file_data: `data:text/plain;base64,${b64('联系电话：13800138000')}` } },
    { type: 'file', file: { filename: 'x.bin', file_data: `data:application/octet-stream;base64,${b64('机密★')}` } },
  );
  const expected = { findings: [{ type: 'cn_mobile', level: 'sensitive', opaque: true }], unread: 1 };
  assert.deepEqual(await scanner.scan('d1', guard, request), expected);
  assert.deepEqual(await scanner.scan('d1', guard, request), expected);
  assert.deepEqual(reads, ['名单.txt', 'x.bin', 'x.bin'], 'the second turn reads again only what it could not read');
  // Another department's request reads the file itself: what one department sent does not answer another's.
  await scanner.scan('d2', guard, request);
  assert.deepEqual(reads, ['名单.txt', 'x.bin', 'x.bin', '名单.txt', 'x.bin']);
});

test('hostile: a body of many attachments has the first MAX_ATTACHMENTS_READ read; the rest count as unread', async () => {
  let reads = 0;
  const scanner = new AttachmentScanner(async (_name, bytes) => { reads++; return Buffer.from(bytes).toString(); });
  const parts = Array.from({ length: MAX_ATTACHMENTS_READ + 8 }, (_, i) => ({ type: 'file', file: { filename: `${i}.txt`, file_data: `data:text/plain;base64,${b64(`第${i}页`)}` } }));
  assert.deepEqual(await scanner.scan('d1', guard, body(...parts)), { findings: [], unread: 8 });
  assert.equal(reads, MAX_ATTACHMENTS_READ);
});

test('hostile: reading stops when the request\'s time is up; what is left counts as unread, and is tried again next turn', async () => {
  const deadlines: number[] = [];
  const scanner = new AttachmentScanner(async (_name, bytes, deadline) => {
    deadlines.push(deadline);
    await new Promise((r) => setTimeout(r, 60));
    return Buffer.from(bytes).toString();
  }, { timeMs: 30 });
  const parts = ['一', '二', '三'].map((t, i) => ({ type: 'file', file: { filename: `${i}.txt`, file_data: `data:text/plain;base64,${b64(t)}` } }));
  assert.deepEqual(await scanner.scan('d1', guard, body(...parts)), { findings: [], unread: 2 });
  assert.equal(deadlines.length, 1, 'the reader was given the deadline, and nothing was started after it');
  // The next turn: the first is remembered, the second read now.
  assert.deepEqual(await scanner.scan('d1', guard, body(...parts)), { findings: [], unread: 1 });
  assert.equal(deadlines.length, 2);
});

test('hostile: a value split across an attachment and the text or file beside it is read across the seam', async () => {
  const scanner = new AttachmentScanner(async (_name, bytes) => Buffer.from(bytes).toString());
  const txt = (name: string, text: string) => ({ type: 'file', file: { filename: name, file_data: `data:text/plain;base64,${b64(text)}` } });
  const types = async (b: unknown) => (await scanner.scan('d1', guard, b)).findings.map((f) => f.type);
  // The ID number's first digits in the message, the rest opening the file; a phone number's halves in two files.
  assert.deepEqual(await types(body({ type: 'text', text: '身份证号 11010519491231' }, txt('a.txt', '002X 见附件'))), ['cn_id_card']);
  assert.deepEqual(await types(body(txt('a.txt', '联系人电话 138 0013'), txt('b.txt', '8000，请回电'))), ['cn_mobile']);
  // The file read last, the text after it: the seam is read the other way too.
  assert.deepEqual(await types(body(txt('a.txt', '手机 138001'), { type: 'text', text: '38000 是我的号码' })), ['cn_mobile']);
  // Values inside one part are found once, not again at the seam; an unread file joins nothing; two texts are inspect.ts's.
  assert.deepEqual(await types(body({ type: 'text', text: '附件如下' }, txt('a.txt', '电话 13800138000'))), ['cn_mobile']);
  const unread = new AttachmentScanner(async () => { throw new Error('broken'); });
  assert.deepEqual((await unread.scan('d1', guard, body({ type: 'text', text: '身份证号 11010519491231' }, txt('a.bin', '002X')))).findings, []);
  assert.deepEqual(await types(body({ type: 'text', text: '手机 138001' }, { type: 'text', text: '38000' })), []);
});
