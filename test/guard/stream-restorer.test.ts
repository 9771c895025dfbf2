import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createGuard, Vault } from '../../src/guard/index.ts';
import { splitAt as chunk } from '../helpers/random.ts';

const guard = createGuard();

function vaultWith(text: string): Vault {
  const vault = new Vault();
  vault.pseudonymize(text, guard.scan(text).findings);
  return vault;
}

function streamed(vault: Vault, chunks: string[], json = false): string {
  const r = vault.createStreamRestorer({ json });
  return chunks.map((c) => r.push(c)).join('') + r.flush();
}

test('a placeholder split across chunks is restored', () => {
  const vault = vaultWith('联系人：张伟，电话13800138000');
  assert.equal(streamed(vault, ['请致电〔手机', '号_', '1〕，找〔姓', '名_1', '〕。']), '请致电13800138000，找张伟。');
});

test('only a possible placeholder start is held back', () => {
  const vault = vaultWith('电话13800138000');
  const r = vault.createStreamRestorer();
  assert.equal(r.push('你好，'), '你好，');
  assert.equal(r.push('号码〔手机'), '号码');
  assert.equal(r.push('号_1〕。[注'), '13800138000。');
  assert.equal(r.push('意]'), '[注意]');
  assert.equal(r.flush(), '');
});

test('json mode escapes restored values inside streamed tool-call arguments', () => {
  const vault = new Vault();
  const text = 'x"y';
  vault.pseudonymize(text, [{ type: 'secret', start: 0, end: 3, level: 'sensitive', score: 1, detector: 't' }]);
  assert.equal(streamed(vault, ['{"p":"〔密', '钥_1〕"}'], true), '{"p":"x\\"y"}');
});

const alphabet = fc.constantFrom(...'〔〕【】[]（）_＿ 01２手机号姓名，a\n'.split(''), '〔手机号_1〕', '〔 姓名_1 〕', '[手机号_2]');
const textArb = fc.array(alphabet, { maxLength: 80 }).map((a) => a.join(''));

test('property: streamed restore equals whole restore for any chunking', () => {
  const vault = vaultWith('联系人：张伟，电话13800138000，备用13900139000');
  fc.assert(
    fc.property(textArb, fc.array(fc.nat(), { maxLength: 12 }), (text, cuts) => {
      assert.equal(streamed(vault, chunk(text, cuts)), vault.restore(text));
    }),
    { numRuns: 1000 },
  );
});

test('property: streamed restore of any unicode text equals whole restore', () => {
  const vault = vaultWith('电话13800138000');
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
      assert.equal(streamed(vault, chunk(text, cuts)), vault.restore(text));
    }),
    { numRuns: 500 },
  );
});
