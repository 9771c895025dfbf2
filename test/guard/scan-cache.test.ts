import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard } from '../../src/guard/index.ts';
import { TextCache } from '../../src/guard/text-cache.ts';

const TEXTS = [
  '请帮我给客户张伟写一封回信。他的身份证号是11010519491231002X，住址北京市朝阳区建国路88号3单元502室。',
  '请用三句话介绍玉门关的历史沿革，以及它在丝绸之路上的地位。',
  '深圳发展银行副行长朱琦表示，明年将继续扩大贷款规模。',
  '家住湖北松滋市庆贺寺乡吴家包村的孙威锋说。',
  '主任委员：江泽民委员：李鹏乔石李瑞环彭真朱镕基刘华清胡锦涛',
];

test('a text scanned again gives the same findings from the scan cache as without it', () => {
  const cached = createGuard();
  const uncached = createGuard({ scanCacheEntries: 0 });
  for (let round = 0; round < 3; round++) {
    for (const t of TEXTS) assert.deepEqual(cached.scan(t), uncached.scan(t), t);
  }
  // Findings are frozen and each caller gets an array of its own: what one caller does with its result does not
  // change what the next caller gets.
  const first = cached.scan(TEXTS[0]);
  assert.throws(() => { first.findings[0].start = 99; }, TypeError);
  first.findings.pop();
  assert.deepEqual(cached.scan(TEXTS[0]), uncached.scan(TEXTS[0]));
  assert.ok(Object.isFrozen(uncached.scan(TEXTS[1]).findings[0]), 'frozen whether or not the cache is on');
  // A guard with other types disabled has its own cache: its findings never leak into another guard's.
  const namesOnly = createGuard({ disabled: ['address'] });
  for (const t of TEXTS) {
    assert.deepEqual(namesOnly.scan(t).findings, uncached.scan(t).findings.filter((f) => f.type !== 'address'), t);
  }
});

test('the text cache: hits, least recently used out first, long texts and size 0 never kept', () => {
  const c = new TextCache<unknown[]>(2, 10);
  const span = { type: 'PER' as const, start: 0, end: 2, score: 0.9 };
  c.set('张伟说', [span]);
  c.set('李华说', []);
  assert.deepEqual(c.get('张伟说'), [span]);
  c.set('王芳说', []); // evicts 李华说, the least recently used
  assert.equal(c.get('李华说'), undefined);
  assert.deepEqual(c.get('张伟说'), [span]);
  assert.equal(c.size, 2);
  c.set('很长的一段文字超过十个字符了吧', [span]);
  assert.equal(c.get('很长的一段文字超过十个字符了吧'), undefined);
  assert.equal(c.hits, 2);
  const off = new TextCache(0);
  assert.equal(off.fits('张伟'), false);
  assert.throws(() => new TextCache(-1), /non-negative/);
});

test('a look-alike text that folds to a cached one gets its own offsets, not the cached text\'s', () => {
  const cached = createGuard();
  const uncached = createGuard({ scanCacheEntries: 0 });
  const plain = '联系人张伟，住址北京市朝阳区建国路88号3单元502室，电话13812345678。';
  // Full-width digits, a zero-width space inside the number and a fullwidth comma: folded before detection.
  const lookAlike = '联系人张伟，住址北京市朝阳区建国路８８号3单元502室\u200b，电话１３８１２３４５６７８。';
  cached.scan(plain);
  const a = cached.scan(lookAlike);
  const b = uncached.scan(lookAlike);
  assert.deepEqual(a, b);
  assert.ok(a.findings.some((f) => f.type === 'person_name' && lookAlike.slice(f.start, f.end) === '张伟'));
  assert.ok(a.findings.some((f) => f.type === 'address'));
});

test('short texts found clean are answered from memory: the same result, a fresh array, and never for a text with a finding', () => {
  const guard = createGuard({ customTerms: [{ term: 'Falcon', label: '项目代号' }] });
  for (let round = 0; round < 3; round++) {
    const clean = guard.scan('assistant');
    assert.deepEqual(clean, { level: 'public', findings: [] });
    // A caller that adds to the array it got must not change what the next caller gets.
    (clean.findings as unknown[]).push({ type: 'secret' });
    assert.equal(guard.scan('13800138000').findings[0]?.type, 'cn_mobile');
    assert.equal(guard.scan('Falcon').findings[0]?.type, 'custom_term');
    // A look-alike of a remembered clean text is a text of its own: scanned, and found.
    assert.equal(guard.scan('１３８００１３８０００').findings[0]?.type, 'cn_mobile');
  }
  assert.deepEqual(guard.scan('assistant').findings, []);
});
