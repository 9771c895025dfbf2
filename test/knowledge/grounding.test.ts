import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeKb, extractCitations, groundMessages, reciprocalRankFusion, type Source } from '../../src/knowledge/index.ts';

const SOURCES: Source[] = [
  { n: 1, document: '差旅费管理办法.pdf', page: 3, chunk: 4, text: '住宿费标准为每人每天五百元。', kb: 'policies' },
  { n: 2, document: '会议费.docx', page: null, chunk: 0, text: '三类会议每人每天不超过四百五十元。', kb: 'policies' },
];

describe('grounding', () => {
  it('puts numbered sources in a Chinese system message after the caller\'s own system messages', () => {
    const out = groundMessages([{ role: 'system', content: '你是助手。' }, { role: 'user', content: '住宿费标准是多少？' }], SOURCES);
    assert.equal(out.length, 3);
    assert.equal(out[0].content, '你是助手。');
    assert.equal(out[1].role, 'system');
    assert.match(out[1].content as string, /请仅依据下列编号资料/);
    assert.match(out[1].content as string, /\[1\] 《差旅费管理办法\.pdf》 第 3 页\n住宿费标准为每人每天五百元。/);
    assert.match(out[1].content as string, /\[2\] 《会议费\.docx》\n/);
    assert.equal(out[2].role, 'user');
  });

  it('uses English instructions for an English question, and leaves messages alone without sources', () => {
    const msgs = [{ role: 'user' as const, content: 'What is the hotel limit?' }];
    assert.match(groundMessages(msgs, SOURCES)[0].content as string, /using only the numbered sources[\s\S]*\[1\] "差旅费管理办法\.pdf", page 3/);
    assert.deepEqual(groundMessages(msgs, []), msgs);
  });

  it('extracts citations in order of first mention, in every bracket style, ignoring unknown numbers', () => {
    const c = extractCitations('会议费不超过450元【2】。住宿费500元[1][2]，另见[1, 2]与[7]。', SOURCES);
    assert.deepEqual(c, [
      { n: 2, document: '会议费.docx', page: null, chunk: 0, kb: 'policies' },
      { n: 1, document: '差旅费管理办法.pdf', page: 3, chunk: 4, kb: 'policies' },
    ]);
    assert.deepEqual(extractCitations('没有引用。', SOURCES), []);
  });
});

describe('ranking and authorization helpers', () => {
  it('fuses rankings by reciprocal rank', () => {
    const fused = reciprocalRankFusion([{ items: ['a', 'b', 'c'] }, { items: ['b', 'd'] }], (x) => x).map((r) => r.item);
    assert.deepEqual(fused, ['b', 'a', 'd', 'c']);
  });

  it('authorizeKb: owner reads and writes, shared department reads only, others nothing, local operator everything', () => {
    const kb = { tenantId: 'fin', sharedWith: ['aud'] };
    assert.equal(authorizeKb({ tenantId: 'fin' }, kb, 'write'), true);
    assert.equal(authorizeKb({ tenantId: 'aud' }, kb, 'read'), true);
    assert.equal(authorizeKb({ tenantId: 'aud' }, kb, 'write'), false);
    assert.equal(authorizeKb({ tenantId: 'x' }, kb, 'read'), false);
    assert.equal(authorizeKb(null, kb, 'write'), true);
  });
});
