import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard } from '../../src/guard/index.ts';
import { createCurator, createSynthesizer, redactFeedbackText, sanitizeForTraining, toSample } from '../../src/flywheel/index.ts';
import type { Exchange } from '../../src/store/index.ts';

const guard = createGuard({ customTerms: [{ term: '天穹计划', label: '项目代号' }] });
const ex = (over: Partial<Exchange>): Exchange => ({
  id: 'r', createdAt: 1, tenantId: 'T', model: 'm', app: null, rating: null, correction: null,
  messages: [{ role: 'user', content: '问题' }], completion: '回答', ...over,
});

test('synthetic values: same key same value, distinct keys distinct values, shapes of the type', () => {
  const s = createSynthesizer('seed');
  assert.equal(s('person_name', '〔姓名_1〕'), s('person_name', '〔姓名_1〕'));
  assert.notEqual(s('person_name', '〔姓名_1〕'), s('person_name', '〔姓名_2〕'));
  assert.match(s('person_name', 'a')!, /^[\u4e00-\u9fa5]{3}$/);
  assert.match(s('cn_mobile', 'a')!, /^1[35789]\d{9}$/);
  assert.match(s('email', 'a')!, /@example\.com$/);
  assert.match(s('ip_address', 'a')!, /^10\./);
  assert.equal(s('custom_term', 'a'), null, 'no natural stand-in: the placeholder stays');
  assert.equal(createSynthesizer('seed')('cn_id_card', 'k'), s('cn_id_card', 'k'), 'deterministic across runs');
  // The stand-ins are themselves found by the guard as the same type: they look real to a model.
  assert.deepEqual(guard.scan(`身份证号${s('cn_id_card', 'k')}`).findings.map((f) => f.type), ['cn_id_card']);
});

test('sanitizing replaces placeholders consistently, values the guard still finds, and keeps the label where no stand-in exists', () => {
  const s = createSynthesizer('x');
  const out = sanitizeForTraining('〔姓名_1〕说〔姓名_1〕的电话是13800138000，项目天穹计划，〔项目代号_1〕', guard, s);
  const name = s('person_name', '〔姓名_1〕')!;
  assert.ok(out.startsWith(`${name}说${name}的电话是`), out);
  assert.ok(!out.includes('13800138000'));
  assert.ok(!out.includes('天穹计划'));
  assert.match(out, /〔项目代号〕/);
  assert.match(out, /〔项目代号_1〕$/);
});

test('feedback text is redacted with numbers the exchange does not use yet', () => {
  const out = redactFeedbackText(guard, '联系人：李娜，电话13900139000', '〔姓名_1〕〔手机号_1〕');
  assert.ok(!out.includes('13900139000') && !out.includes('李娜'), out);
  assert.match(out, /〔手机号_2〕/);
});

test('samples: system prompts joined, turns paired, tool calls and odd shapes refused', () => {
  const s = toSample([{ role: 'system', content: 'a' }, { role: 'developer', content: 'b' }, { role: 'user', content: 'u1' }, { role: 'assistant', content: 'a1' }, { role: 'user', content: 'u2' }, { role: 'user', content: [{ type: 'text', text: 'u3' }] }], 'out');
  assert.deepEqual(s, { system: 'a\n\nb', history: [['u1', 'a1']], instruction: 'u2\n\nu3', output: 'out' });
  assert.equal(toSample([{ role: 'user', content: 'u' }, { role: 'assistant', content: '', tool_calls: [{ id: '1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', content: 'r' }, { role: 'user', content: 'u' }], 'o'), null);
  assert.equal(toSample([{ role: 'assistant', content: 'a' }, { role: 'user', content: 'u' }], 'o'), null);
  assert.equal(toSample(['junk'], 'o'), null);
});

test('curation: corrections win, -1 without correction never kept, threshold, duplicates once', () => {
  const c = createCurator({ guard, minRating: 0 });
  assert.equal(c.add(ex({ id: '1', rating: -1 })), null);
  const fixed = c.add(ex({ id: '2', rating: -1, correction: '更好的回答' }))!;
  assert.equal(fixed.output, '更好的回答');
  assert.equal(fixed.rejected, '回答');
  assert.ok(c.add(ex({ id: '3' })));
  assert.equal(c.add(ex({ id: '4', rating: 1 })), null, 'the same sample as 3: a duplicate');
  assert.equal(c.add(ex({ id: '5', completion: '' })), null);
  assert.deepEqual(c.stats, { exchanges: 5, kept: 2, corrected: 1, rejected: 1, belowRating: 0, duplicates: 1, unsupported: 1 });
  const strict = createCurator({ guard, minRating: 1 });
  assert.equal(strict.add(ex({ id: '6' })), null);
  assert.ok(strict.add(ex({ id: '7', rating: 1 })));
  assert.ok(createCurator({ guard, minRating: -1 }).add(ex({ id: '8' })));
  assert.equal(createCurator({ guard, minRating: -1 }).add(ex({ id: '9', rating: -1 })), null);
});
