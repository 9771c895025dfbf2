/**
 * The flywheel's way back in: a LoRA adapter GGUF (written here for the tiny test model, as llama.cpp's
 * convert_lora_to_gguf lays one out) is loaded by the embedded engine and changes what the model says.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyLoraBuffer, writeTinyGguf } from '../helpers/tiny-gguf.ts';
import { createModelRegistry, UpstreamError, validateModelConfigs, type ModelRegistry } from '../../src/providers/index.ts';
import { checkModelFiles } from '../../src/providers/llama-cpp/check-model-files.ts';

let dir: string;
let reg: ModelRegistry;
let model: string;
let adapter: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yumen-lora-'));
  model = await writeTinyGguf(join(dir, 'tiny.gguf'));
  adapter = join(dir, 'tiny-lora.gguf');
  await writeFile(adapter, tinyLoraBuffer());
  await writeFile(join(dir, 'wrong-base.gguf'), tinyLoraBuffer({ embd: 16 }));
  const base = { provider: 'llama-cpp', path: model, zone: 'private' as const, threads: 1, parallel: 1, context_size: 256 };
  reg = createModelRegistry([
    { name: 'base', ...base },
    { name: 'tuned', ...base, lora: [{ path: adapter }] },
    { name: 'tuned-off', ...base, lora: [{ path: adapter, scale: 0 }] },
    { name: 'wrong', ...base, lora: [{ path: join(dir, 'wrong-base.gguf') }] },
    { name: 'missing', ...base, lora: [{ path: join(dir, 'nope.gguf') }] },
  ]);
});
after(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

const ctx = () => ({ signal: new AbortController().signal, requestId: 'r' });
const ask = (m: string) => ({ model: m, messages: [{ role: 'user' as const, content: 'hello world' }], max_tokens: 12, temperature: 0 });
const answer = async (m: string) => (await reg.get(m)!.chat(ask(m), ctx())).completion.choices[0].message.content;

test('a LoRA adapter changes the greedy answer of the embedded model; at scale 0 it changes nothing', async () => {
  const base = await answer('base');
  assert.equal(await answer('base'), base, 'greedy decoding is deterministic');
  const tuned = await answer('tuned');
  assert.notEqual(tuned, base);
  assert.equal(await answer('tuned'), tuned);
  assert.equal(await answer('tuned-off'), base);
});

test('an adapter built for another base model, or a missing one, fails clearly', async () => {
  await assert.rejects(reg.get('wrong')!.chat(ask('wrong'), ctx()), (err: unknown) => err instanceof UpstreamError && err.kind === 'connect' && /wrong|context/i.test(err.message));
  await assert.rejects(reg.get('missing')!.chat(ask('missing'), ctx()), (err: unknown) => err instanceof UpstreamError && /LoRA adapter: file not found/.test(err.message));
  assert.deepEqual(await checkModelFiles([{ name: 'missing', provider: 'llama-cpp', path: model, zone: 'private', lora: [{ path: join(dir, 'nope.gguf') }] }]), [`models[0].lora[0].path: file not found: ${join(dir, 'nope.gguf')}`]);
});

test('lora: is validated with key paths', () => {
  const m = { name: 'x', provider: 'llama-cpp', path: model, zone: 'private' as const };
  assert.deepEqual(validateModelConfigs([{ ...m, lora: [{ path: adapter, scale: 0.5 }] }]), []);
  const errors = validateModelConfigs([{ ...m, lora: [{ scale: 'big', extra: 1 }] as never }]);
  assert.ok(errors.includes('models[0].lora[0].path: required (a LoRA adapter .gguf file)'), errors.join('\n'));
  assert.ok(errors.includes('models[0].lora[0].scale: must be a number (default 1)'));
  assert.ok(errors.includes('models[0].lora[0].extra: unknown key (known: path, scale)'));
  assert.deepEqual(validateModelConfigs([{ ...m, lora: 'a.gguf' as never }]), ['models[0].lora: must be a list of { path, scale }']);
});
