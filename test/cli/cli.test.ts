import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';

const BIN = resolve(import.meta.dirname, '../../bin/yumen.js');
const dir = mkdtempSync(join(tmpdir(), 'yumen-cli-'));
const config = join(dir, 'yumen.yaml');
writeFileSync(config, `storage: { url: "sqlite:${join(dir, 'y.db')}" }\nlog: { level: silent }\nmodels:\n  - { name: m, provider: openai-compatible, base_url: "http://127.0.0.1:9/v1", zone: private }\n`);

describe('the yumen CLI, run as a user would', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keys create prints the new key alone on stdout', () => {
    const r = spawnSync(process.execPath, [BIN, 'keys', 'create', '--tenant', '财政局', '--config', config], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ym-[A-Za-z0-9]{40}\n$/);
  });

  it('config check exits 2 naming the key path of a bad config, 0 for a good one', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'models:\n  - { name: x, provider: openai-compatible, base_url: "http://h/v1" }\n');
    const r = spawnSync(process.execPath, [BIN, 'config', 'check', '--config', bad], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /models\[0\]\.zone/);
    const ok = spawnSync(process.execPath, [BIN, 'config', 'check', '--config', config], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
  });

  it('an unknown command is a usage error (exit 2) and --help lists the commands', () => {
    assert.equal(spawnSync(process.execPath, [BIN, 'frobnicate'], { encoding: 'utf8' }).status, 2);
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const cmd of ['serve', 'keys', 'config', 'scan']) assert.match(help.stdout, new RegExp(`\\b${cmd}\\b`));
  });

  it('serve answers /healthz, 401 on /v1/models without a key, and 200 with one; stops on SIGTERM', async () => {
    const key = spawnSync(process.execPath, [BIN, 'keys', 'create', '--tenant', 't', '--config', config], { encoding: 'utf8' }).stdout.trim();
    const child = spawn(process.execPath, [BIN, 'serve', '--config', config, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const url = await new Promise<string>((resolvePromise, reject) => {
      child.stderr.on('data', (d: string) => {
        stderr += d;
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m) resolvePromise(m[1]);
      });
      child.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
    });
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const anon = await fetch(`${url}/v1/models`);
      assert.equal(anon.status, 401);
      assert.equal(((await anon.json()) as { error: { code: string } }).error.code, 'missing_api_key');
      const authed = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(authed.status, 200);
      assert.deepEqual(((await authed.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id), ['m']);
    } finally {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    }
  });
});
