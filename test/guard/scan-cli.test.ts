import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runScan } from '../../src/cli/commands/scan.ts';
import type { ScanIo, ScanOptions } from '../../src/cli/commands/scan.ts';

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
  const entry = fileURLToPath(new URL('./fixtures/scan-cli.ts', import.meta.url));
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
