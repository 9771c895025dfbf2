import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { createGuard, Vault } from '../../src/guard/index.ts';
import { mulberry32 } from '../helpers/random.ts';

// Text hidden in base64 (API payloads, data: URIs, tokens, mail bodies) is read again: a blob whose text holds
// personal data is one finding of that type, pseudonymized whole and restored as written.
const rules = createGuard({ scanCacheEntries: 0, tagger: false });
const guard = createGuard({ scanCacheEntries: 0 });
const b64 = (s: string | Uint8Array): string => Buffer.from(s).toString('base64');

function blobs(text: string, g = rules): Array<[string, string, string]> {
  return g.scan(text).findings.map((f) => [f.type, text.slice(f.start, f.end), f.detector ?? '']);
}

test('a base64 field of a JSON payload that holds a phone number is one cn_mobile finding over the whole blob', () => {
  const blob = b64('请联系张伟，电话13800138000');
  const text = `{"msg_type":"text","content":"${blob}"}`;
  assert.deepEqual(blobs(text), [['cn_mobile', blob, 'base64:digits']]);
});

test('names, ID cards, e-mail in base64: the gravest finding of the decoded text names the blob', () => {
  const card = b64('身份证号：11010519491231002X');
  assert.deepEqual(blobs(`data:text/plain;base64,${card}`).map((x) => x[0]), ['cn_id_card']);
  const named = b64('姓名：王小二');
  assert.deepEqual(blobs(`{"note":"${named}"}`), [['person_name', named, 'base64:names.label']]);
  // URL-safe and unpadded, as in a token's payload.
  const mail = b64('{"email":"zhang.san@example.com"}').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  assert.deepEqual(blobs(`payload=${mail}&x=1`).map((x) => [x[0], x[1]]), [['email', mail]]);
});

test('a classified marking in base64 makes the whole text classified (refused before any model is called)', () => {
  const r = rules.scan(`附件：${b64('机密★1年 关于调整工作安排的通知')}`);
  assert.equal(r.level, 'classified');
  assert.equal(r.findings[0].type, 'classified_marking');
});

test('base64 inside base64 is read; a mail body wrapped at 76 characters is one blob; GB2312 bodies are decoded', () => {
  assert.deepEqual(blobs(b64(b64('姓名：李四，手机13912345678'))).map((x) => [x[0], x[2]]), [['cn_mobile', 'base64:base64:digits']]);
  const body = b64('尊敬的客户：您的手机号码为13912345678，如有疑问请联系我们。'.repeat(4)).replace(/.{76}/g, '$&\r\n');
  const mail = `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`;
  const found = blobs(mail);
  assert.equal(found.length, 1);
  assert.equal(found[0][0], 'cn_mobile');
  assert.equal(found[0][1], body.trimEnd());
  // 姓名：张三 in GB2312, declared by the part's charset.
  const gb = b64(Uint8Array.from([0xd0, 0xd5, 0xc3, 0xfb, 0xa3, 0xba, 0xd5, 0xc5, 0xc8, 0xfd]));
  assert.deepEqual(blobs(`Content-Type: text/plain; charset="gb2312"\nContent-Transfer-Encoding: base64\n\n${gb}`).map((x) => x[0]), ['person_name']);
  // Without the declaration the same bytes are no UTF-8, and the blob is left alone.
  assert.deepEqual(blobs(`\n\n${gb}`), []);
});

test('the blob is pseudonymized whole and restored as written, through the whole guard', () => {
  const blob = b64('客户：陈建国，手机：13912345678，住址：北京市海淀区中关村大街27号1单元301室');
  const text = `{"content":"${blob}","type":"text"}`;
  const vault = new Vault();
  const safe = vault.pseudonymize(text, guard.scan(text).findings);
  assert.ok(!safe.includes(blob.slice(0, 12)), safe);
  assert.ok(safe.includes('"type":"text"'), safe);
  assert.equal(vault.restore(safe), text);
});

test('not text, not flagged: hashes, keys, random bytes, hex, identifiers, clean text, English', () => {
  const rng = mulberry32(20261207);
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
  for (let i = 0; i < 300; i++) {
    const text = `sha256=${createHash('sha256').update(String(i)).digest('base64')} key=${b64(bytes(8 + (i % 40)))} ` +
      `id=${createHash('md5').update(String(i)).digest('hex')} createGuard2 userName123 a1b2c3d4e5f6`;
    assert.deepEqual(rules.scan(text).findings.filter((f) => f.detector?.startsWith('base64')), [], text);
  }
  assert.deepEqual(blobs(b64('这是一段普通文字，没有个人信息。')), []);
  assert.deepEqual(blobs(b64('The quick brown fox jumps over the lazy dog 42 times.')), []);
  assert.deepEqual(blobs(`random ${randomBytes(3000).toString('base64')}`).filter((x) => x[2].startsWith('base64')), []);
});

test('hostile: nesting is read 32 levels deep, not 33; a large blob and many small ones stay linear and never throw', () => {
  let deep = '手机13912345678';
  for (let i = 0; i < 5; i++) deep = b64(deep);
  assert.deepEqual(blobs(deep).map((x) => x[2]), [`${'base64:'.repeat(5)}digits`]); // five: missed until 2026-12-07 evening
  for (let i = 5; i < 32; i++) deep = gzipSync(Buffer.from(deep)).toString('base64'); // gzip-then-base64 grows slowest
  assert.deepEqual(blobs(deep).map((x) => x[0]), ['cn_mobile'], `32 levels, ${deep.length} characters`);
  assert.deepEqual(blobs(b64(deep)), []); // 33 levels: the last is left as it is (documented)
  // Four hundred levels in 20 KB: the stack is safe, nothing throws.
  for (let i = 32; i < 400; i++) deep = gzipSync(Buffer.from(deep)).toString('base64');
  assert.deepEqual(blobs(deep), []);
  const big = b64(`${'普通文字'.repeat(60_000)}手机13912345678`);
  assert.deepEqual(blobs(big).map((x) => x[0]), ['cn_mobile']);
  const many = Array.from({ length: 20_000 }, (_, i) => b64(`第${i}条`)).join(' ');
  assert.deepEqual(rules.scan(many).findings, []);
  // Every alphabet character, '=' runs and line breaks in odd places.
  const junk = Array.from({ length: 5000 }, (_, i) => ['A1==', '+/9z', '-_', '\r\n', '====', 'QUJD'][i % 6]).join('');
  assert.ok(Array.isArray(rules.scan(junk).findings));
});

test('text in hex, as databases and scripts print bytes: HEX(), 0x…, PostgreSQL\'s \\x…, Python\'s .hex()', () => {
  const hex = (s: string): string => Buffer.from(s).toString('hex');
  const plain = hex('姓名：张三丰');
  assert.deepEqual(blobs(`SELECT HEX(xm) FROM t; -- ${plain}`), [['person_name', plain, 'hex:names.label']]);
  const upper = `0x${hex('手机13912345678').toUpperCase()}`;
  assert.deepEqual(blobs(`INSERT INTO t VALUES (${upper});`), [['cn_mobile', upper, 'hex:digits']]);
  const bytea = `\\x${hex('联系人：李四')}`;
  assert.deepEqual(blobs(`content | ${bytea}`), [['person_name', bytea, 'hex:names.label']]);
  // A number in hex is digits only (what HEX() prints for a phone or a card number): read when every byte of it is ASCII.
  const digitsOnly = hex('13912345678');
  assert.equal(/^[0-9]+$/.test(digitsOnly), true);
  assert.deepEqual(blobs(`SELECT HEX(sjhm) FROM kh; -- ${digitsOnly}`), [['cn_mobile', digitsOnly, 'hex:digits']]);
  // Ordinary long numbers are not bytes of ASCII, or decode to nothing of note.
  assert.deepEqual(blobs('订单号 202312011234567890123，流水 3031323334353637，卡号 6222021234567890123'), []);
  // Hashes, UUIDs, colours and odd lengths are no text.
  assert.deepEqual(blobs('sha1 a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 uuid 550e8400-e29b-41d4-a716-446655440000 #ff00ff 0xdeadbeef'), []);
  assert.deepEqual(blobs(`${plain}0`), []);
});

test('compressed payloads in base64 (gzip H4sI…, zlib eJ…) are inflated and read; bombs are cut off at 64 bytes per character', () => {
  const gz = gzipSync(Buffer.from('客户姓名：张三丰，手机13800138000')).toString('base64');
  assert.deepEqual(blobs(`{"payload":"${gz}","enc":"gzip"}`), [['cn_mobile', gz, 'gzip:digits']]);
  const zl = deflateSync(Buffer.from('{"idCard":"11010519491231002X"}')).toString('base64');
  assert.deepEqual(blobs(`msg=${zl}`).map((x) => x[0]), ['cn_id_card']);
  assert.deepEqual(blobs(gzipSync(Buffer.from('这是一段普通文字，没有个人信息。')).toString('base64')), []);
  // 50 MB of one byte in 64 KB of base64: inflated no further than 64 bytes per character of it, and no bomb takes the
  // share of the payload beside it.
  const bomb = gzipSync(Buffer.alloc(50_000_000, 0x41)).toString('base64');
  assert.deepEqual(blobs(`${bomb} ${gz}`).map((x) => x[0]), ['cn_mobile'], 'a bomb beside a payload: the payload is still read');
  assert.deepEqual(blobs(Array.from({ length: 20 }, () => bomb).join(' ')), []);
  // Words that start like a zlib stream are no stream.
  assert.deepEqual(blobs('eJustAWordWithDigits123 eNd0fTheLine42'), []);
});

test('hostile: nested payloads share the outer one\'s allowance, so a bomb inside a payload cannot multiply it', () => {
  const phone = '客户手机13800138000，'.repeat(100);
  const inner = gzipSync(Buffer.from(phone)).toString('base64'); // inflates ≈ 30 bytes a character
  assert.deepEqual(blobs(inner).map((x) => x[0]), ['cn_mobile']);
  // Plain base64 inside gzip fits what the outer stream leaves, and is read.
  const plainInside = gzipSync(Buffer.from(`备注 ${b64('手机13912345678')}`)).toString('base64');
  assert.deepEqual(blobs(plainInside).map((x) => x[2]), ['gzip:base64:digits']);
  // An outer stream that inflates ≈ 40-fold leaves 64/40 - 1 a character for what it holds: the inner stream, which
  // needs 30, is not inflated (read, it would be 1,200 times the outer text's size).
  const padding = Array.from({ length: 2000 }, (_, i) => `日志${i % 97}行。`).join('');
  const outer = gzipSync(Buffer.from(`${padding} ${inner}`), { level: 9 }).toString('base64');
  const outerRatio = Buffer.byteLength(`${padding} ${inner}`) / outer.length;
  assert.ok(outerRatio > 32 && outerRatio < 64, `the outer stream inflates ${outerRatio}-fold, within its own allowance`);
  assert.deepEqual(blobs(outer), []);
  // With room left (an outer stream of little compression), the same inner stream is read.
  const roomy = gzipSync(Buffer.from(`${randomBytes(3000).toString('base64')} ${inner}`)).toString('base64');
  assert.deepEqual(blobs(roomy).map((x) => x[2]), ['gzip:gzip:digits']);
});
