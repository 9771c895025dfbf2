import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/yumen.js');
const dir = mkdtempSync(join(tmpdir(), 'yumen-app-cli-'));
const config = join(dir, 'yumen.yaml');
writeFileSync(config, `storage: { url: "sqlite:${join(dir, 'y.db')}" }\nlog: { level: silent }\nmodels:\n  - { name: local, provider: openai-compatible, base_url: "http://127.0.0.1:9/v1", zone: private }\n`);
const yumen = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--config', config], { encoding: 'utf8' });

describe('yumen app create | list | rm', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, lists and removes an app; refuses an unknown model or share target with a clear message', () => {
    assert.equal(spawnSync(process.execPath, [BIN, 'dept', 'create', '公安局', '--config', config], { encoding: 'utf8' }).status, 0);
    const made = yumen('app', 'create', 'policy-qa', '--tenant', '财政局', '--name', '政策问答', '--model', 'local', '--prompt', '你是{{unit}}的政策顾问。', '--var', 'unit=财政局', '--share', '公安局', '--question', '差旅标准？');
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /created app:policy-qa .*variables unit/);
    const listed = yumen('app', 'list', '--format', 'json');
    assert.equal(listed.status, 0, listed.stderr);
    const apps = JSON.parse(listed.stdout);
    assert.equal(apps.length, 1);
    assert.deepEqual([apps[0].slug, apps[0].model, apps[0].variables, apps[0].sharedWith.length, apps[0].suggestedQuestions], ['policy-qa', 'local', { unit: '财政局' }, 1, ['差旅标准？']]);
    const badModel = yumen('app', 'create', 'x', '--tenant', '财政局', '--name', 'x', '--model', 'gpt-9', '--prompt', 'p');
    assert.equal(badModel.status, 1);
    assert.match(badModel.stderr, /model: "gpt-9" is not a configured model/);
    const badShare = yumen('app', 'create', 'y', '--tenant', '财政局', '--name', 'y', '--model', 'auto', '--prompt', 'p', '--share', '无此部门');
    assert.match(badShare.stderr, /--share: no department named "无此部门"/);
    const rm = yumen('app', 'rm', 'policy-qa');
    assert.equal(rm.status, 0, rm.stderr);
    assert.equal(yumen('app', 'rm', 'policy-qa').status, 1);
  });

  it('--help names the app and dataset commands', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.match(help.stdout, /\bapp\b.*业务场景应用/);
    assert.match(help.stdout, /\bdataset\b.*训练数据/);
    const ex = spawnSync(process.execPath, [BIN, 'dataset', 'export', '--help'], { encoding: 'utf8' });
    assert.match(ex.stdout, /--min-rating/);
    assert.match(ex.stdout, /alpaca \| sharegpt/);
  });
});
