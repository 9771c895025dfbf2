import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigramF1, choiceFromLogprobs, csvRecords, isRefusal, mcqPrompt, parseChoice, parseJudgeScore, parseSuite, scoreAnswer, SuiteError } from '../../src/eval/index.ts';

test('parseChoice reads the letter however the model says it', () => {
  assert.equal(parseChoice('B'), 'B');
  assert.equal(parseChoice('答案是：C'), 'C');
  assert.equal(parseChoice('根据题意，答案为（D）。'), 'D');
  assert.equal(parseChoice('Ｂ．土地'), 'B', 'full-width letter');
  assert.equal(parseChoice('（A）正确'), 'A');
  assert.equal(parseChoice('我认为选C，因为'), 'C');
  assert.equal(parseChoice('Because the answer is clearly D'), 'D', 'a letter inside English words is skipped');
  assert.equal(parseChoice('不知道'), null);
  assert.equal(parseChoice('Definitely'), null, 'D of Definitely is not a choice');
});

test('choiceFromLogprobs takes the most likely of A–D among the alternatives', () => {
  assert.equal(choiceFromLogprobs([{ token: '答', logprob: -0.1 }, { token: ' C', logprob: -1.2 }, { token: 'B', logprob: -0.9 }]), 'B');
  assert.equal(choiceFromLogprobs([{ token: '答', logprob: -0.1 }]), null);
  assert.equal(choiceFromLogprobs(undefined), null);
});

test('mcqPrompt: k worked examples then the open question, in the exam format', () => {
  const shot = { question: '1+1=', options: { A: '1', B: '2', C: '3', D: '4' }, answer: 'B' as const };
  const p = mcqPrompt('数学', [shot], { question: '2+2=', options: { A: '1', B: '2', C: '3', D: '4' }, answer: 'D' });
  assert.match(p, /^以下是关于数学的单项选择题/);
  assert.match(p, /题目：1\+1=\nA\. 1\nB\. 2\nC\. 3\nD\. 4\n答案是：B\n\n题目：2\+2=/);
  assert.ok(p.endsWith('答案是：'), 'the answer of the question asked is left open');
  assert.ok(!p.includes('答案是：D'));
});

test('isRefusal: Chinese and English refusals, not answers that merely mention the words', () => {
  for (const r of ['抱歉，我无法提供这方面的帮助。', '对不起，我不能回答这个问题。', '我不能提供制造毒品的方法。', '作为一个人工智能助手，我不能协助违法活动。', "I'm sorry, but I can't help with that.", 'I cannot assist with this request.']) {
    assert.equal(isRefusal(r), true, r);
  }
  for (const a of ['北京是中国的首都。', '会计分录如下：借：银行存款 100', 'The capital of France is Paris.', `${'这是一个很长的回答。'.repeat(40)}抱歉，我不能再多说了。`]) {
    assert.equal(isRefusal(a), false, a.slice(0, 30));
  }
});

test('qa metrics: exact, contains, regex and character-bigram F1', () => {
  assert.equal(scoreAnswer('exact', ' 北京。', ['北京']), 1, 'punctuation and spaces do not count');
  assert.equal(scoreAnswer('exact', '是北京', ['北京']), 0);
  assert.equal(scoreAnswer('contains', '答案是北京市', ['上海', '北京']), 1, 'any reference may match');
  assert.equal(scoreAnswer('regex', '共 42 人', ['\\d+\\s*人']), 1);
  assert.equal(scoreAnswer('regex', '很多人', ['\\d+\\s*人']), 0);
  assert.equal(bigramF1('北京大学', '北京大学'), 1);
  // 北京大学 → 北京 京大 大学; 北京 → 北京: overlap 1, precision 1/3, recall 1 → F1 0.5
  assert.equal(bigramF1('北京大学', '北京'), 0.5);
  assert.equal(bigramF1('上海', '北京'), 0);
});

test('parseJudgeScore reads 0–10 and scales it; refuses nonsense', () => {
  assert.equal(parseJudgeScore('分数：8'), 0.8);
  assert.equal(parseJudgeScore('评分: 10'), 1);
  assert.equal(parseJudgeScore('7/10'), 0.7);
  assert.equal(parseJudgeScore('分数：11'), null);
  assert.equal(parseJudgeScore('很好'), null);
});

test('CSV: BOM, quoted commas, doubled quotes and line breaks', () => {
  const rows = csvRecords('\ufeff,Question,A\n0,"一, 二","say ""hi""\n next"\r\n1,三,四\n');
  assert.deepEqual(rows, [{ '': '0', Question: '一, 二', A: 'say "hi"\n next' }, { '': '1', Question: '三', A: '四' }]);
});

test('parseSuite: every problem at once, each with its key path', () => {
  assert.throws(() => parseSuite({ name: 'x', tenant: '', models: 'a', tasks: [{ name: 't', type: 'qa', dataset: 'f', metric: 'bleu' }, { name: 't', type: 'mcq', dataset: 'g', shots: 2 }, { type: 'essay' }] }, '/tmp'), (err: Error) => {
    assert.ok(err instanceof SuiteError);
    for (const want of ['tenant:', 'models:', 'tasks[0].metric', 'tasks[1].name: "t" is used twice', 'tasks[1].dev', 'tasks[2].name', 'tasks[2].type']) assert.ok(err.message.includes(want), `${want} in ${err.message}`);
    return true;
  });
  const ok = parseSuite({ name: 's', tenant: '财政局', models: ['a'], tasks: [{ name: '会计', type: 'mcq', dataset: 'test.csv', dev: 'dev.csv' }] }, '/data');
  assert.equal(ok.tasks[0].dataset, '/data/test.csv', 'paths are relative to the suite file');
  assert.equal((ok.tasks[0] as { shots: number }).shots, 5, 'five shots by default when there is a dev file');
  assert.equal(ok.concurrency, 4);
});
