import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSegmenter, rescore } from '../../src/knowledge/index.ts';
import { isQueryStopChar } from '../../src/knowledge/segmentation.ts';

const seg = createSegmenter();
const query = (text: string) => ({ text, words: seg.query(text).words, isStopChar: isQueryStopChar });

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
    assert.deepEqual(rescore(candidates, query(q), { cover: 0, span: 0, near: 0 }).map((x) => x.item), ['scattered', 'phrase', 'other']);
  });

  it('proximity prefers the passage where the query words stand together', () => {
    const q = '公积金 提取 条件';
    const near = { item: 'near', score: 5, text: '住房公积金提取条件如下。其他事项另行规定，详见附件说明。' };
    const far = { item: 'far', score: 5, text: '公积金缴存比例为百分之十二。职工离职后可以申请。相关条件另行规定，可以提取。' };
    assert.equal(rescore([far, near], query(q), { cover: 0, span: 0, near: 1 })[0].item, 'near');
  });

  it('leaves a single candidate and punctuation-only queries alone', () => {
    assert.deepEqual(rescore([{ item: 'a', score: 1, text: 'x' }], query('什么')), [{ item: 'a', score: 1 }]);
    const two = rescore([{ item: 'a', score: 2, text: '甲' }, { item: 'b', score: 1, text: '乙' }], query('？？'));
    assert.deepEqual(two.map((x) => x.item), ['a', 'b']);
  });
});
