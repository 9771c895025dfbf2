import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSegmenter, DEFAULT_RESCORE_WEIGHTS, rescore } from '../../src/knowledge/index.ts';
import { isQueryStopChar } from '../../src/knowledge/segmentation.ts';

const seg = createSegmenter();
const query = (text: string) => ({ text, words: seg.query(text).words, isStopChar: isQueryStopChar });
const OFF = { cover: 0, span: 0, near: 0, coord: 0, lead: 0 };

describe('second-stage re-scoring', () => {
  it('puts the passage that states the question phrase above one that only shares its characters', () => {
    const q = '住宿费标准是多少';
    const candidates = [
      // A topical distractor BM25 ranks first: the same characters, scattered.
      { item: 'scattered', score: 10, text: '住宿安排由办公室负责，费用统一结算；标准间和套间按职级分配，准予报销。' },
      { item: 'phrase', score: 9, text: '出差人员住宿费标准为每人每天五百元。' },
      { item: 'other', score: 2, text: '会议费开支实行综合定额控制。' },
    ];
    const out = rescore(candidates, query(q));
    assert.deepEqual(out.map((x) => x.item), ['phrase', 'scattered', 'other']);
    // With every signal weighted 0 the order is BM25's.
    assert.deepEqual(rescore(candidates, query(q), OFF).map((x) => x.item), ['scattered', 'phrase', 'other']);
  });

  it('proximity prefers the passage where the query words stand together', () => {
    const q = '公积金 提取 条件';
    const near = { item: 'near', score: 5, text: '住房公积金提取条件如下。其他事项另行规定，详见附件说明。' };
    const far = { item: 'far', score: 5, text: '公积金缴存比例为百分之十二。职工离职后可以申请。相关条件另行规定，可以提取。' };
    assert.equal(rescore([far, near], query(q), { ...OFF, near: 1 })[0].item, 'near');
  });

  it('position: the passage that opens with the subject outranks the one that mentions it in passing, late', () => {
    // Same words, same phrases, same BM25: only where the subject stands differs.
    const q = '三峡大坝的发电量';
    const lead = { item: 'lead', score: 5, text: '三峡大坝的发电量居世界前列。大坝位于湖北宜昌，工程于一九九四年动工，历时多年建成，沿线移民逾百万人。' };
    const late = { item: 'late', score: 5, text: '湖北宜昌的旅游业近年发展迅速，游客多数乘船游览长江沿线景点，也有人专程参观，关心三峡大坝的发电量。' };
    assert.equal(rescore([late, lead], query(q))[0].item, 'lead');
    assert.equal(rescore([late, lead], query(q), { ...DEFAULT_RESCORE_WEIGHTS, lead: 0 })[0].item, 'late', 'without the position signal the tie stays in BM25 order');
  });

  it('coordination: the passage naming every topic of the question outranks one repeating a single topic', () => {
    const q = '苏州 园林 门票 价格';
    // BM25 favours the distractor (the rare word 园林 three times); the answer names all four topics once.
    const all = { item: 'all', score: 4, text: '这里说明苏州几处园林的门票价格：旺季七十元，淡季四十元。' };
    const one = { item: 'one', score: 5, text: '这里说明园林的布局：园林讲究借景，园林的假山与水池相映成趣。' };
    assert.equal(rescore([one, all], query(q), { ...OFF, coord: 1 })[0].item, 'all');
    assert.equal(rescore([one, all], query(q), OFF)[0].item, 'one');
  });

  it('leaves a single candidate and punctuation-only queries alone', () => {
    assert.deepEqual(rescore([{ item: 'a', score: 1, text: 'x' }], query('什么')), [{ item: 'a', score: 1 }]);
    const two = rescore([{ item: 'a', score: 2, text: '甲' }, { item: 'b', score: 1, text: '乙' }], query('？？'));
    assert.deepEqual(two.map((x) => x.item), ['a', 'b']);
  });
});
