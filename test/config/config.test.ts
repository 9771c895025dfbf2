import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { loadValidatedConfig } from '../../src/cli/config-option.ts';

function writeYaml(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'yumen-cfg-')), 'yumen.yaml');
  writeFileSync(file, text);
  return file;
}

describe('configuration', () => {
  it('uses embedded defaults without a file', () => {
    const c = loadConfig({ cwd: mkdtempSync(join(tmpdir(), 'yumen-empty-')), env: {} });
    assert.equal(c.server.port, 8080);
    assert.equal(c.server.host, '127.0.0.1');
    assert.equal(c.storage.url, 'sqlite:./data/yumen.db');
    assert.deepEqual(c.models, []);
  });

  it('interpolates ${VAR} and ${VAR:-default} and applies YUMEN_ overrides', () => {
    const file = writeYaml('server: { port: 9000 }\nmodels:\n  - { name: ds, provider: openai-compatible, base_url: "${BASE:-http://x/v1}", api_key: "${KEY}", zone: external }\n');
    const c = loadConfig({ file, env: { KEY: 'sk-123', YUMEN_SERVER__PORT: '9100', YUMEN_STORAGE_URL: 'postgres://u@h/db' } });
    assert.equal(c.models[0].api_key, 'sk-123');
    assert.equal(c.models[0].base_url, 'http://x/v1');
    assert.equal(c.server.port, 9100);
    assert.equal(c.storage.url, 'postgres://u@h/db');
  });

  it('names the key path of a missing environment variable', () => {
    const file = writeYaml('models:\n  - { name: ds, provider: deepseek, api_key: "${NOPE_KEY}", zone: external }\n');
    assert.throws(() => loadConfig({ file, env: {} }), (err: unknown) => err instanceof ConfigError && /models\[0\]\.api_key: environment variable NOPE_KEY/.test(err.message));
  });

  it('reports every problem with its key path', () => {
    const file = writeYaml('server: { port: 99999 }\nstorage: { url: "mysql://x" }\nbogus: 1\nmodels:\n  - { name: a, provider: openai-compatible, base_url: "http://x/v1" }\n');
    assert.throws(() => loadValidatedConfig(file), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      assert.match(text, /server\.port: expected an integer 0–65535/);
      assert.match(text, /storage\.url/);
      assert.match(text, /bogus: unknown section/);
      assert.match(text, /models\[0\]\.zone/);
      return true;
    });
  });

  it('rejects YAML syntax errors clearly', () => {
    const file = writeYaml('server: [unclosed\n');
    assert.throws(() => loadConfig({ file, env: {} }), /YAML syntax/);
  });

  it('checks policy references against the models', () => {
    const file = writeYaml('models:\n  - { name: cloud, provider: openai-compatible, base_url: "http://x/v1", zone: external }\npolicy:\n  private_model: cloud\n  levels: { sensitive: { external: shred } }\n');
    assert.throws(() => loadValidatedConfig(file), (err: unknown) => {
      const text = (err as ConfigError).problems.join('\n');
      assert.match(text, /policy\.private_model: "cloud" must be zone private/);
      assert.match(text, /policy\.levels\.sensitive\.external: expected one of allow, pseudonymize, reroute, block/);
      return true;
    });
  });
});
