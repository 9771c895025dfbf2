/**
 * Files and images inside a chat request (an `image_url` data URL, a `file` part) are read — the text layer of a
 * PDF, a text file, OCR for an image — and guarded like the rest of the body, through the real gateway with an
 * external and a private model (mock HTTP servers). A value inside an attachment cannot be pseudonymized, so toward
 * an external model such a request goes to the private model, untouched, or is refused.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';
import { animatedGif, animatedPng, digitsBitmap, digitsPage, multiPageTiff, xfaFormPdf, docxWithEmbedded, docxWithHiddenParts, docxWithPicture, emf, exifGps, filledFormPdf, garbledPdf, gifImage, ole10Native, oleObject, officeWithHiddenParts, outlinedPdf, pdf, pdfWithAttachment, pngWithText, scannedPdf, turnQuarter } from '../knowledge/fixtures.ts';

const PHONE = '13800138000';
/** Drawn as a phone number is usually written; tesseract reads the eleven digits in one run less reliably. */
const PHONE_AS_WRITTEN = '138 0013 8000';
const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');
const image = (url: string) => ({ type: 'image_url', image_url: { url } });
const file = (filename: string, dataUrl: string) => ({ type: 'file', file: { filename, file_data: dataUrl } });

describe('attachments: files and images inside a request are read and guarded', () => {
  let external: MockUpstream;
  let inhouse: MockUpstream;
  let y: TestYumen;
  let office: string; // a department with a private model
  let liaison: string; // a department without one
  let press: string; // a department that lets attachments it cannot read go out

  before(async () => {
    external = await startMockUpstream();
    inhouse = await startMockUpstream();
    external.setDefault(() => ({ content: '好的' }));
    inhouse.setDefault(() => ({ content: '好的' }));
    y = await startTestYumen({
      models: [
        { name: 'cloud', provider: 'openai-compatible', base_url: external.baseUrl, zone: 'external' },
        { name: 'inhouse', provider: 'openai-compatible', base_url: inhouse.baseUrl, zone: 'private' },
      ],
      policy: { private_model: 'inhouse', tenants: { 外联处: { private_model: null }, 宣传处: { unreadable_attachments: 'allow' } } },
    });
    office = await y.key('办公厅');
    liaison = await y.key('外联处');
    press = await y.key('宣传处');
  });
  after(async () => {
    await y.stop();
    await external.close();
    await inhouse.close();
  });

  async function chat(key: string, model: string, parts: unknown[]) {
    const res = await request(`${y.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: [{ type: 'text', text: '请整理附件内容' }, ...parts] }] }),
    });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, any> };
  }

  it('an image of a phone number bound for an external model goes to the private model, image untouched', async () => {
    const url = `data:image/png;base64,${b64(encodePng(digitsBitmap(PHONE_AS_WRITTEN)))}`;
    const before = [external.requests.length, inhouse.requests.length];
    const res = await chat(office, 'cloud', [image(url)]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers['x-yumen-route'], 'private');
    assert.equal(res.headers['x-yumen-level'], 'sensitive');
    assert.equal(external.requests.length, before[0], 'nothing reached the external model');
    assert.equal(inhouse.requests.length, before[1] + 1);
    assert.ok(JSON.stringify(inhouse.requests.at(-1)!.body).includes(url), 'the private model gets the image as sent');
  });

  it('hostile: the page photographed sideways is read turned, and goes to the private model too', async () => {
    const sideways = turnQuarter(digitsPage(['13800138000', '2026 1129', '3721 0815']));
    const url = `data:image/png;base64,${b64(encodePng(sideways))}`;
    const before = external.requests.length;
    const res = await chat(office, 'cloud', [image(url)]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers['x-yumen-route'], 'private');
    assert.equal(external.requests.length, before, 'nothing reached the external model');
  });

  it('hostile: a number in a picture pasted into a PDF or Word file with a text layer is read too, and goes private', async () => {
    for (const [name, mime, bytes] of [
      ['report.pdf', 'application/pdf', scannedPdf(digitsBitmap(PHONE_AS_WRITTEN), 'Contact: see below')],
      ['contact.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', docxWithPicture(encodePng(digitsBitmap(PHONE_AS_WRITTEN)))],
    ] as const) {
      const before = external.requests.length;
      const res = await chat(office, 'cloud', [file(name, `data:${mime};base64,${b64(bytes)}`)]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.headers['x-yumen-route'], 'private', name);
      assert.equal(external.requests.length, before, `${name}: nothing reached the external model`);
    }
  });

  it('hostile: a Word file whose footer, comments, deleted revision and properties hold what its body does not, and a filled-in PDF form, go private', async () => {
    const before = external.requests.length;
    const mime = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    for (const part of [file('纪要.docx', `data:${mime};base64,${b64(docxWithHiddenParts())}`), file('申请表.pdf', `data:application/pdf;base64,${b64(filledFormPdf())}`)]) {
      const res = await chat(office, 'cloud', [part]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.headers['x-yumen-route'], 'private', part.file.filename);
    }
    assert.equal(external.requests.length, before, 'nothing reached the external model');
  });

  it('hostile: a GIF, an animated GIF or PNG and a scanned TIFF whose first frame or page is blank, a table pasted into Word as an EMF drawing, a Word file embedded in Word and attached to a PDF, a pivot cache, a photo\'s metadata and where it was taken, a mail pasted with its attachment, an XFA form\'s values — each read, each goes private', async () => {
    // The department that lets what it cannot read go out: only reading these files keeps them in.
    const phoneDigits = digitsBitmap(PHONE_AS_WRITTEN);
    const docxMime = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    const parts: unknown[] = [
      image(`data:image/gif;base64,${b64(gifImage(digitsBitmap(PHONE_AS_WRITTEN)))}`),
      file('table.docx', `data:${docxMime};base64,${b64(docxWithPicture(emf([{ text: '身份证号' }, { text: '11010519491231002X' }]), 'image1.emf'))}`),
      file('object.docx', `data:${docxMime};base64,${b64(docxWithEmbedded(docxWithHiddenParts(), 'Microsoft_Word_Document.docx'))}`),
      file('report.pdf', `data:application/pdf;base64,${b64(pdfWithAttachment('minutes.docx', docxWithHiddenParts()))}`),
      // A text file inserted into a Word file as an icon (an OLE Package: read since 2026-12-07).
      file('notice.docx', `data:${docxMime};base64,${b64(docxWithEmbedded(oleObject({ '\u0001Ole10Native': ole10Native('名单.txt', Buffer.from('联系人电话13800138000')) }), 'oleObject1.bin'))}`),
      // A photo with nothing to read in its pixels, and a phone number in its metadata.
      image(`data:image/png;base64,${b64(pngWithText(encodePng({ width: 80, height: 80, channels: 1, data: new Uint8Array(6400).fill(255) }), { iTXt: '拍摄人 13800138000' }))}`),
      // A screen recording: its first frame blank, the phone number on the next (OCR reads a GIF's first frame only).
      image(`data:image/gif;base64,${b64(animatedGif(phoneDigits.width, phoneDigits.height, [{ picture: { ...phoneDigits, data: new Uint8Array(phoneDigits.data.length).fill(255) } }, { picture: phoneDigits }]))}`),
      // An animated PNG: its still image blank, the phone number on its next frame.
      image(`data:image/png;base64,${b64(animatedPng(phoneDigits.width, phoneDigits.height, [{ picture: { ...phoneDigits, data: new Uint8Array(phoneDigits.data.length).fill(255) } }, { picture: phoneDigits }]))}`),
      // A document scanned to a multi-page TIFF: its first page blank (OCR reads a TIFF's first page only).
      file('扫描件.tif', `data:image/tiff;base64,${b64(multiPageTiff([{ ...phoneDigits, data: new Uint8Array(phoneDigits.data.length).fill(255) }, phoneDigits]))}`),
      // A photo taken at home: where, to a few metres, is in its EXIF (GPS, as phones write it; big-endian, as iPhones do).
      image(`data:image/png;base64,${b64(pngWithText(encodePng({ width: 80, height: 80, channels: 1, data: new Uint8Array(6400).fill(255) }), { exif: exifGps(39.916345, 116.397155, 'MM') }))}`),
      // A filled-in XFA form: its page says "Please wait…", its values are in the datasets packet.
      file('申请表.pdf', `data:application/pdf;base64,${b64(xfaFormPdf({ 申请人: '张建国', 联系电话: '13800138000' }))}`),
      // A pivot table whose data sheet was deleted: the rows live on in its cache.
      file('pivot.xlsx', `data:application/octet-stream;base64,${b64(officeWithHiddenParts()['pivot.xlsx'])}`),
    ];
    // A mail pasted into the message as it is (an .eml's text): the Word file it carries is in base64 lines.
    const docxB64 = Buffer.from(docxWithHiddenParts()).toString('base64').replace(/(.{76})/g, '$1\r\n');
    const eml = `Subject: minutes\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n${docxB64}\r\n--b--`;
    parts.push({ type: 'text', text: eml });
    // The same mail attached as an .eml file: a text file, whose attachment is read in turn.
    parts.push(file('邮件.eml', `data:message/rfc822;base64,${b64(eml)}`));
    for (const part of parts) {
      const before = external.requests.length;
      const res = await chat(press, 'cloud', [part]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.headers['x-yumen-route'], 'private', JSON.stringify(part).slice(0, 60));
      assert.equal(external.requests.length, before, 'nothing reached the external model');
    }
  });

  it('without a private model it is refused, and the error says the value is in an attachment', async () => {
    const url = `data:image/png;base64,${b64(encodePng(digitsBitmap(PHONE_AS_WRITTEN)))}`;
    const before = external.requests.length;
    const res = await chat(liaison, 'cloud', [image(url)]);
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'policy_blocked');
    assert.match(res.body.error.message, /附件或图片/);
    assert.match(res.body.error.message, /cn_mobile/);
    assert.equal(external.requests.length, before);
  });

  it('a PDF\'s text layer and a text file are read: an ID card goes private, a classified marking is refused everywhere', async () => {
    const idCard = pdf(['Staff list', 'ID 11010519491231002X']);
    const res = await chat(office, 'cloud', [file('名单.pdf', `data:application/pdf;base64,${b64(idCard)}`)]);
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-yumen-route'], 'private');
    const counts = [external.requests.length, inhouse.requests.length];
    for (const model of ['cloud', 'inhouse']) {
      const refused = await chat(office, model, [file('纪要.txt', `data:text/plain;base64,${b64('机密★一年\n关于某工程的会议纪要')}`)]);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'classified_content');
      assert.doesNotMatch(refused.body.error.message, /工程/);
    }
    assert.deepEqual([external.requests.length, inhouse.requests.length], counts, 'no model was called');
  });

  it('an attachment with nothing personal in it goes to the external model as it is', async () => {
    const notice = `data:text/plain;base64,${b64('会议改在三楼会议室举行。')}`;
    const res = await chat(office, 'cloud', [file('通知.txt', notice)]);
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-yumen-route'], 'external');
    assert.ok(JSON.stringify(external.requests.at(-1)!.body).includes(notice));
  });

  it('a photo with no text in it is read, and goes out as it is', async () => {
    const blank = encodePng({ width: 64, height: 64, channels: 1, data: new Uint8Array(64 * 64).fill(255) });
    const res = await chat(office, 'cloud', [image(`data:image/png;base64,${b64(blank)}`)]);
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-yumen-route'], 'external');
  });

  it('hostile: what cannot be read — a broken PDF, a file that lies about its type, a pixel bomb, a sound, a PDF whose text decodes to nothing or is drawn as shapes, an embedded object it cannot read — does not leave unread', async () => {
    // A few bytes that declare 30,000 × 30,000 pixels are not decoded (over the limit).
    const bomb = Buffer.concat([Buffer.from([0x89]), Buffer.from('PNG\r\n\x1a\n', 'latin1'), Buffer.from([0, 0, 0, 13]), Buffer.from('IHDR'),
      Buffer.from([0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 0, 0, 0, 0])]);
    const unreadable = [
      file('x.pdf', `data:application/pdf;base64,${b64('%PDF-1.7 not really a pdf')}`),
      file('y.docx', `data:application/octet-stream;base64,${b64('plain text, not a zip')}`),
      image(`data:image/png;base64,${b64(bomb)}`),
      { type: 'input_audio', input_audio: { data: b64('RIFF....WAVEfmt '), format: 'wav' } },
      // Read as text, these said nothing (until 2026-12-07 evening they went out as read); a model shown their pages reads them.
      file('garbled.pdf', `data:application/pdf;base64,${b64(garbledPdf())}`),
      file('outlined.pdf', `data:application/pdf;base64,${b64(outlinedPdf())}`),
      // A Word 97–2003 document embedded in a Word file: its text cannot be read here (until 2026-12-07 it was skipped).
      file('legacy.docx', `data:application/octet-stream;base64,${b64(docxWithEmbedded(oleObject({ WordDocument: Buffer.from('13800138000') }), 'oleObject1.bin'))}`),
    ];
    const before = external.requests.length;
    for (const part of unreadable) {
      const res = await chat(office, 'cloud', [part]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.headers['x-yumen-route'], 'private', 'by default: to the private model');
      const refused = await chat(liaison, 'cloud', [part]);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'policy_blocked');
      assert.match(refused.body.error.message, /unreadable_attachment×1/);
    }
    assert.equal(external.requests.length, before, 'nothing unread reached the external model');
    // A department that allows it sends them out as before.
    const allowed = await chat(press, 'cloud', [unreadable[0]]);
    assert.equal(allowed.headers['x-yumen-route'], 'external');
  });

  it('hostile: bare base64, a percent-encoded data URL and a remote URL', async () => {
    const bare = await chat(office, 'cloud', [file('a.txt', b64(`联系电话 ${PHONE}`))]);
    assert.equal(bare.headers['x-yumen-route'], 'private');
    const percent = await chat(office, 'cloud', [file('b.txt', `data:text/plain;charset=utf-8,${encodeURIComponent(`手机${PHONE}`)}`)]);
    assert.equal(percent.headers['x-yumen-route'], 'private');
    // An image as bare base64 with no file name: its first bytes say it is one (before 2026-12-07 night it was unread,
    // and the department that lets unread files out sent it out).
    const nameless = await chat(press, 'cloud', [{ type: 'file', file: { file_data: b64(encodePng(digitsBitmap(PHONE_AS_WRITTEN))) } }]);
    assert.equal(nameless.headers['x-yumen-route'], 'private');
    // A remote image is not fetched: the gateway never sees its bytes, and its URL is text like any other.
    const remote = await chat(office, 'cloud', [image('https://example.invalid/a.png')]);
    assert.equal(remote.status, 200);
    assert.equal(remote.headers['x-yumen-route'], 'external');
  });
});
