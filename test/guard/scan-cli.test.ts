import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../../src/cli/commands/scan.ts';
import type { ScanIo, ScanOptions } from '../../src/cli/commands/scan.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';
import { digitsBitmap, gifImage, pdf, wordFile } from '../knowledge/fixtures.ts';

/** Test-only entry that runs the real command in a process of its own. */
const entry = fileURLToPath(new URL('./fixtures/scan-cli.ts', import.meta.url));

function fakeIo(stdin: string, files: Record<string, string> = {}): ScanIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    readStdin: async () => stdin,
    readFile: async (p: string) => {
      if (!(p in files)) throw new Error(`ENOENT: ${p}`);
      return files[p];
    },
    stdout: (s: string) => void (io.out += s),
    stderr: (s: string) => void (io.err += s),
  };
  return io;
}

async function scan(opts: ScanOptions, stdin: string, files?: Record<string, string>) {
  const io = fakeIo(stdin, files);
  const code = await runScan(opts, io);
  return { code, out: io.out, err: io.err };
}

test('text format shows line:col, type, level and a masked value', async () => {
  const r = await scan({}, '第一行\n联系人：张伟，电话13800138000\n');
  assert.equal(r.code, 0);
  assert.match(r.out, /^2:5\tperson_name\tsensitive\t张\*$/m);
  assert.match(r.out, /^2:10\tcn_mobile\tsensitive\t138\*{4}8000$/m);
  assert.ok(!r.out.includes('13800138000'), 'values are masked');
  assert.match(r.out, /level: sensitive \(2 findings\)/);
});

test('--fail-level gates on the highest finding', async () => {
  assert.equal((await scan({ failLevel: 'sensitive' }, '电话13800138000')).code, 1);
  assert.equal((await scan({ failLevel: 'classified' }, '电话13800138000')).code, 0);
  assert.equal((await scan({ failLevel: 'classified' }, '机密★5年')).code, 1);
  assert.equal((await scan({ failLevel: 'internal' }, '今天天气很好')).code, 0);
});

test('json and jsonl formats follow the stable interface', async () => {
  const j = await scan({ format: 'json' }, '电话13800138000');
  assert.deepEqual(JSON.parse(j.out), { level: 'sensitive', findings: [{ type: 'cn_mobile', start: 2, end: 13, level: 'sensitive', score: 0.95 }] });
  const l = await scan({ format: 'jsonl' }, '{"id":"a","text":"手机13800138000"}\n\n{"id":2,"text":"无"}\n');
  const lines = l.out.trim().split('\n').map((x) => JSON.parse(x));
  assert.deepEqual(lines[0].id, 'a');
  assert.deepEqual(lines[0].findings[0], { type: 'cn_mobile', start: 2, end: 13, level: 'sensitive', score: 0.95 });
  assert.deepEqual(lines[1], { id: 2, level: 'public', findings: [] });
});

test('usage and input errors exit 2', async () => {
  assert.equal((await scan({ format: 'xml' }, '')).code, 2);
  assert.equal((await scan({ failLevel: 'secret' }, '')).code, 2);
  assert.equal((await scan({ format: 'jsonl' }, 'not json\n')).code, 2);
  assert.equal((await scan({ file: 'missing.txt' }, '')).code, 2);
  assert.equal((await scan({ disable: 'nope' }, '')).code, 2);
});

test('custom dictionary file', async () => {
  const r = await scan({ terms: 'terms.txt', format: 'json' }, '启动天穹计划', { 'terms.txt': '# 项目\n天穹计划\t项目代号\n' });
  assert.equal(JSON.parse(r.out).findings[0].type, 'custom_term');
});

test('the real process: stdin in, findings out, exit 1 at the fail level', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, 'scan', '-', '--format', 'jsonl', '--fail-level', 'sensitive'], {
    input: '{"id":1,"text":"身份证11010519491231002X"}\n',
    encoding: 'utf8',
  });
  assert.equal(r.status, 1, r.stderr);
  const line = JSON.parse(r.stdout.trim());
  assert.equal(line.level, 'sensitive');
  assert.equal(line.findings[0].type, 'cn_id_card');
  const bad = spawnSync(process.execPath, ['--import', 'tsx', entry, 'scan', '--bogus'], { input: '', encoding: 'utf8' });
  assert.equal(bad.status, 2);
});

test('--explain names the rule or the model behind each finding, and the rule finds that were dropped', async () => {
  const j = await scan({ format: 'json', explain: true }, '姓名：张伟。林采宜表示，深圳发展银行副行长出席。');
  const r = JSON.parse(j.out);
  const byText = (s: number, e: number) => r.findings.find((f: { start: number; end: number }) => f.start === s && f.end === e);
  assert.equal(byText(3, 5).by, 'rule');
  assert.equal(byText(3, 5).detector, 'names.label');
  assert.equal(byText(6, 9).by, 'model');
  assert.equal(byText(6, 9).detector, 'ner');
  // The rules alone take 展银行 out of 深圳发展银行副行长; the tagger did not agree, and --explain says so.
  assert.ok(r.dropped.some((d: { detector: string }) => d.detector === 'names.title'), JSON.stringify(r.dropped));
  const t = await scan({ explain: true }, '姓名：张伟');
  assert.match(t.out, /^1:4\tperson_name\tsensitive\t张\*\trule:names.label\t0\.9$/m);
  // Without --explain the stable shape is unchanged.
  const plain = JSON.parse((await scan({ format: 'json' }, '姓名：张伟')).out);
  assert.deepEqual(Object.keys(plain.findings[0]), ['type', 'start', 'end', 'level', 'score']);
});

test('--public-terms: listed names and addresses are not reported, --explain says which and why; a bad file is a usage error', async () => {
  const text = '请用高德地图查一下去比斯特购物村的路线，联系人李建国';
  const files = { 'public.txt': '# 公开词\n高德\n\n比斯特购物村\n' };
  const before = JSON.parse((await scan({ format: 'json' }, text)).out);
  assert.equal(before.findings.length, 3);
  const r = JSON.parse((await scan({ format: 'json', publicTerms: 'public.txt', explain: true }, text, files)).out);
  assert.deepEqual(r.findings.map((f: { start: number; end: number }) => text.slice(f.start, f.end)), ['李建国']);
  assert.deepEqual(r.dropped.filter((d: { why: string }) => d.why === 'public_term').map((d: { start: number; end: number }) => text.slice(d.start, d.end)), ['高德', '比斯特购物村']);
  const t = await scan({ publicTerms: 'public.txt', explain: true }, text, files);
  assert.match(t.out, /^1:3\tperson_name\tnot reported\t高\*\tmodel:ner\t[\d.]+\t\(a public term \/ 公开词\)$/m);
  // JSONL records, on worker threads too, get the same list.
  const jsonl = `${JSON.stringify({ id: 1, text })}\n`;
  for (const jobs of [1, 2]) {
    const rec = JSON.parse((await scan({ format: 'jsonl', publicTerms: 'public.txt', jobs }, jsonl, { ...files, '-': jsonl })).out);
    assert.equal(rec.findings.length, 1, `--jobs ${jobs}`);
  }
  const bad = await scan({ publicTerms: 'bad.txt' }, text, { 'bad.txt': '高德\n张\n' });
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--public-terms bad\.txt: term 2 "张": expected 2–64 characters/);
});

test('--jobs: worker threads write the same bytes as one thread, in input order, and stop at the same bad line', async () => {
  // More than one chunk (256 K characters) of records, so several workers take part and finish out of order.
  const texts = ['联系人：张伟，电话13800138000。', '今天天气很好，适合出游。', '机密★5年 项目代号天穹计划', '身份证11010519491231002X，住址北京市朝阳区建国路88号3单元502室', '林采宜表示，深圳发展银行副行长出席。'];
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 700_000; i++) lines.push(JSON.stringify({ id: i, text: `${texts[i % texts.length]}（第${i}条）` }));
  const input = `${lines.join('\n')}\n`;
  const one = await scan({ format: 'jsonl', jobs: 1, explain: true }, input);
  const three = await scan({ format: 'jsonl', jobs: 3, explain: true }, input);
  assert.equal(one.code, 0);
  assert.equal(three.code, 0, three.err);
  assert.equal(three.out, one.out);
  assert.equal(one.out.split('\n').length - 1, lines.length);
  // A bad line deep in the input: the same records before it, the same message, exit 2.
  const at = lines.length - 100;
  const broken = [...lines.slice(0, at), '{"id": 1, "text": 3}', ...lines.slice(at)].join('\n');
  const b1 = await scan({ format: 'jsonl', jobs: 1 }, broken);
  const b3 = await scan({ format: 'jsonl', jobs: 3 }, broken);
  assert.equal(b1.code, 2);
  assert.equal(b3.code, 2);
  assert.match(b3.err, new RegExp(`line ${at + 1}: expected`));
  assert.equal(b3.err, b1.err);
  assert.equal(b3.out, b1.out);
  assert.equal(b3.out.split('\n').length - 1, at);
  // --fail-level sees the highest level across all workers.
  assert.equal((await scan({ format: 'jsonl', jobs: 2, failLevel: 'classified' }, input)).code, 1);
  for (const jobs of ['0', 'two', '1.5', '65']) assert.equal((await scan({ format: 'jsonl', jobs }, input)).code, 2, jobs);
});

test('documents are scanned by their text: a PDF\'s text layer, an image by OCR, a text file as it is; no text is an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yumen-scan-'));
  try {
    writeFileSync(join(dir, '名单.pdf'), pdf(['Staff list', 'ID 11010519491231002X']));
    writeFileSync(join(dir, 'shot.png'), encodePng(digitsBitmap('138 0013 8000')));
    writeFileSync(join(dir, 'note.txt'), '手机13800138000');
    // A GIF with no telling name (read as an image since 2026-12-07 night; before, as UTF-8 bytes).
    writeFileSync(join(dir, 'shot'), gifImage(digitsBitmap('138 0013 8000')));
    writeFileSync(join(dir, 'photo.png'), encodePng({ width: 40, height: 40, channels: 1, data: new Uint8Array(1600).fill(255) }));
    const run = (file: string) => spawnSync(process.execPath, ['--import', 'tsx', entry, 'scan', join(dir, file), '--format', 'json'], { encoding: 'utf8' });
    const types = (file: string) => JSON.parse(run(file).stdout).findings.map((f: { type: string }) => f.type);
    assert.deepEqual(types('名单.pdf'), ['cn_id_card']);
    assert.deepEqual(types('shot.png'), ['cn_mobile']);
    assert.deepEqual(types('note.txt'), ['cn_mobile']);
    assert.deepEqual(types('shot'), ['cn_mobile']);
    // A binary of no known format is refused, not scanned as garbled text.
    writeFileSync(join(dir, 'blob.dat'), Buffer.from([1, 2, 0, 3, 0, 4]));
    assert.equal(run('blob.dat').status, 2);
    assert.match(run('blob.dat').stderr, /unsupported file type/);
    const blank = run('photo.png');
    assert.equal(blank.status, 2);
    assert.match(blank.stderr, /no text could be read/);
    // A mail saved as .eml: the Word file it carries in base64 lines is read too, its findings after the mail's last line.
    const b64 = Buffer.from(wordFile('身份证11010519491231002X')).toString('base64').replace(/(.{76})/g, '$1\r\n');
    writeFileSync(join(dir, 'mail.eml'), `From: a@example.com\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--\r\n`);
    assert.deepEqual(types('mail.eml'), ['email', 'cn_id_card']);
    // One it cannot read (an old Word file) is an error, not a clean scan.
    const ole = Buffer.alloc(600);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
    writeFileSync(join(dir, 'old.eml'), `附件：${ole.toString('base64')}`);
    assert.equal(run('old.eml').status, 2);
    assert.match(run('old.eml').stderr, /file 1 pasted into it as base64 \(embedded\.bin\) cannot be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
