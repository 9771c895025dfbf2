import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard } from '../../src/guard/index.ts';
import { AhoCorasick } from '../../src/guard/aho-corasick.ts';

test('Aho–Corasick finds overlapping terms; findLongest keeps leftmost-longest', () => {
  const ac = new AhoCorasick(['he', 'she', 'his', 'hers']);
  assert.deepEqual(ac.findAll('ushers').map((m) => [m.start, m.end]), [[1, 4], [2, 4], [2, 6]]);
  assert.deepEqual(ac.findLongest('ushers').map((m) => [m.start, m.end]), [[1, 4]]);
});

test('tens of thousands of terms, labels, case-insensitive whole-word ASCII terms', () => {
  const terms = Array.from({ length: 30000 }, (_, i) => ({ term: `客户${i}号`, label: '客户名单' }));
  terms.push({ term: 'Project Aurora', label: '项目代号' });
  const guard = createGuard({ customTerms: terms });
  const text = '本月拜访了客户12345号和客户29999号，推进project aurora；Project Auroras 不算。';
  const found = guard.scan(text).findings.filter((f) => f.type === 'custom_term');
  assert.deepEqual(found.map((f) => text.slice(f.start, f.end)), ['客户12345号', '客户29999号', 'project aurora']);
  assert.equal(found[0].label, '客户名单');
});

test('full-width and zero-width variants of a term still match', () => {
  const guard = createGuard({ customTerms: ['ABC系统'] });
  const text = '登录ＡＢＣ\u200b系统失败';
  const [f] = guard.scan(text).findings;
  assert.equal(text.slice(f.start, f.end), 'ＡＢＣ\u200b系统');
});
