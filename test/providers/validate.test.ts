import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateModelConfigs, checkModelFiles, createModelRegistry, PROVIDER_PRESETS, type ModelConfig } from '../../src/providers/index.ts';

test('a valid mix of providers has no errors', () => {
  assert.deepEqual(validateModelConfigs([
    { name: 'local', provider: 'llama-cpp', path: './m.gguf', zone: 'private', threads: 1 },
    { name: 'ds', provider: 'deepseek', api_key: 'k', zone: 'external' },
    { name: 'pool', provider: 'openai-compatible', zone: 'private', backends: [{ base_url: 'http://a:8000/v1', weight: 2 }, { base_url: 'http://b:8000/v1' }] },
    { name: 'az', provider: 'azure-openai', base_url: 'https://r.openai.azure.com', deployment: 'd', zone: 'external' },
    { name: 'claude', provider: 'anthropic', api_key: 'k', zone: 'external' },
  ]), []);
});

test('errors carry key paths: zone, provider, duplicate, base_url, llama-cpp path, backends', () => {
  const errs = validateModelConfigs([
    { name: 'a', provider: 'openai-compatible', base_url: 'http://x/v1' },
    { name: 'b', provider: 'foo', zone: 'private' },
    { name: 'a', provider: 'vllm', zone: 'external' },
    { name: 'c', provider: 'openai-compatible', zone: 'private' },
    { name: 'd', provider: 'llama-cpp', zone: 'private', threads: 0 },
    { name: 'e', provider: 'openai-compatible', zone: 'internal', backends: [{ weight: -1 }] },
    'nope',
  ]);
  const has = (re: RegExp) => assert.ok(errs.some((e) => re.test(e)), `missing ${re} in\n${errs.join('\n')}`);
  has(/^models\[0\]\.zone: required, one of "private" \| "external"$/);
  has(/^models\[1\]\.provider: unknown provider "foo" \(known: openai-compatible, anthropic, llama-cpp, .*deepseek/);
  has(/^models\[2\]\.name: duplicate model name "a"/);
  has(/^models\[3\]\.base_url: required/);
  has(/^models\[4\]\.path: required/);
  has(/^models\[4\]\.threads: must be a positive integer/);
  has(/^models\[5\]\.zone: .*got "internal"/);
  has(/^models\[5\]\.backends\[0\]\.base_url: required/);
  has(/^models\[5\]\.backends\[0\]\.weight/);
  has(/^models\[6\]: must be a mapping/);
});

test('the registry refuses an invalid config with every problem listed', () => {
  assert.throws(() => createModelRegistry([{ name: 'x', provider: 'vllm' } as unknown as ModelConfig]), /models\[0\]\.zone/);
});

test('every preset names a protocol and the issue\'s services are present', () => {
  for (const p of ['vllm', 'ollama', 'lmdeploy', 'xinference', 'mindie', 'llama-server', 'sglang', 'deepseek', 'qwen', 'zhipu', 'moonshot', 'doubao', 'qianfan', 'hunyuan', 'spark', 'minimax', 'siliconflow', 'openai', 'azure-openai', 'anthropic', 'llama-cpp']) {
    assert.ok(PROVIDER_PRESETS[p]?.protocol, p);
  }
});

test('checkModelFiles reports missing and non-GGUF files by key path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'yumen-check-'));
  await writeFile(join(dir, 'bad.gguf'), 'not a model');
  await writeFile(join(dir, 'ok.gguf'), Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'));
  const errs = await checkModelFiles([
    { name: 'a', provider: 'llama-cpp', path: 'missing.gguf', zone: 'private' },
    { name: 'b', provider: 'llama-cpp', path: 'bad.gguf', zone: 'private' },
    { name: 'c', provider: 'llama-cpp', path: 'ok.gguf', zone: 'private' },
    { name: 'd', provider: 'vllm', zone: 'private' },
  ], dir);
  assert.equal(errs.length, 2);
  assert.match(errs[0], /^models\[0\]\.path: file not found/);
  assert.match(errs[1], /^models\[1\]\.path: not a GGUF file/);
});
