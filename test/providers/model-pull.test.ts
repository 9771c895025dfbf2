import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile, stat, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { tinyGgufBuffer } from '../helpers/tiny-gguf.ts';
import { pullModel, addModelToConfig, resolveSource } from '../../src/cli/commands/model.ts';

const gguf = tinyGgufBuffer({ layers: 1 });
const sha = createHash('sha256').update(gguf).digest('hex');
let server: Server;
let base: string;
let dir: string;
const seen: Array<{ path: string; range: string | undefined }> = [];
let dropNext = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yumen-pull-'));
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', range: req.headers.range });
    const data = req.url?.includes('garbage') ? Buffer.from('<html>not a model</html>') : gguf;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) start = Number(m[1]);
    const body = data.subarray(start);
    res.writeHead(m ? 206 : 200, { 'content-length': String(body.length), 'accept-ranges': 'bytes', ...(m ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}) });
    if (dropNext > 0) {
      dropNext--;
      // Send the first third, then close the connection (gracefully: a reset could discard bytes the client's kernel
      // has not handed over yet, and the test would depend on timing).
      res.write(body.subarray(0, Math.floor(body.length / 3)), () => res.socket?.end());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

test('an interrupted download resumes with Range, verifies sha256 and lands in the config', async () => {
  dropNext = 1;
  seen.length = 0;
  const progress: number[] = [];
  const config = join(dir, 'yumen.yaml');
  const r = await pullModel({ source: `${base}/files/tiny-test.gguf`, dir: join(dir, 'models'), sha256: sha, config, threads: 1 }, { onProgress: (n) => progress.push(n) });
  assert.equal(seen.length, 2);
  assert.equal(seen[0].range, undefined);
  assert.match(seen[1].range ?? '', /^bytes=\d+-$/);
  assert.ok(Number(/\d+/.exec(seen[1].range!)![0]) > 0);
  assert.equal(r.sha256, sha);
  assert.equal((await stat(r.path)).size, gguf.length);
  assert.equal(progress.at(-1), gguf.length);
  const cfg = parse(await readFile(config, 'utf8'));
  assert.deepEqual(cfg.models, [{ name: 'tiny-test', provider: 'llama-cpp', path: join(dir, 'models', 'tiny-test.gguf'), zone: 'private', threads: 1 }]);
});

test('a .part left by an earlier failed run is resumed by the next run', async () => {
  const d = join(dir, 'resume');
  dropNext = 1;
  await assert.rejects(pullModel({ source: `${base}/x/resume.gguf`, dir: d, attempts: 1 }));
  const partial = (await stat(join(d, 'resume.gguf.part'))).size;
  assert.ok(partial > 0 && partial < gguf.length);
  seen.length = 0;
  const r = await pullModel({ source: `${base}/x/resume.gguf`, dir: d });
  assert.equal(seen[0].range, `bytes=${partial}-`);
  assert.equal(r.sha256, sha);
});

test('a sha256 mismatch fails and removes the partial file', async () => {
  const d = join(dir, 'bad-sha');
  await assert.rejects(pullModel({ source: `${base}/m/a.gguf`, dir: d, sha256: '0'.repeat(64) }), /sha256 mismatch/);
  await assert.rejects(stat(join(d, 'a.gguf.part')));
  await assert.rejects(stat(join(d, 'a.gguf')));
});

test('a file that is not GGUF is refused', async () => {
  await assert.rejects(pullModel({ source: `${base}/garbage.gguf`, dir: join(dir, 'g') }), /not a GGUF model/);
});

test('catalogue names resolve against ModelScope or a mirror', () => {
  const r = resolveSource('qwen2.5-0.5b-instruct', 'http://mirror.internal:8080/');
  assert.equal(r.url, 'http://mirror.internal:8080/models/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/master/qwen2.5-0.5b-instruct-q4_k_m.gguf');
  assert.equal(r.file, 'qwen2.5-0.5b-instruct-q4_k_m.gguf');
  assert.throws(() => resolveSource('no-such-model'), /unknown model/);
});

test('adding to an existing config keeps its comments and refuses a duplicate name', async () => {
  const file = join(dir, 'existing.yaml');
  await writeFile(file, '# 玉门 config\nserver: { port: 8080 } # keep me\nmodels:\n  # the cloud one\n  - { name: ds, provider: deepseek, zone: external }\n');
  assert.equal(await addModelToConfig(file, { name: 'local', provider: 'llama-cpp', path: './m.gguf', zone: 'private' }), true);
  assert.equal(await addModelToConfig(file, { name: 'local', provider: 'llama-cpp', path: './other.gguf', zone: 'private' }), false);
  const text = await readFile(file, 'utf8');
  assert.match(text, /# 玉门 config/);
  assert.match(text, /# keep me/);
  assert.match(text, /# the cloud one/);
  assert.deepEqual(parse(text).models.map((m: { name: string }) => m.name), ['ds', 'local']);
});
