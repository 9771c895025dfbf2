import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createGuard, Vault } from '../../src/guard/index.ts';
import { DEFAULT_POLICY, parsePolicy } from '../../src/policy/index.ts';
import { OutputGuard } from '../../src/gateway/output-guard.ts';
import { StreamReplyTransformer, finishCompletion } from '../../src/gateway/reply.ts';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/providers/index.ts';
import { splitAt as split } from '../helpers/random.ts';

const guard = createGuard();
const output = new OutputGuard(DEFAULT_POLICY);

function completion(content: string): ChatCompletion {
  return { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] };
}

function chunks(pieces: string[]): ChatCompletionChunk[] {
  const base = { id: 'c', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
  return [
    ...pieces.map((content) => ({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
}

function streamText(transformer: StreamReplyTransformer, pieces: string[]): string {
  let text = '';
  for (const c of chunks(pieces)) text += transformer.transform(c).choices[0]?.delta.content ?? '';
  for (const c of transformer.end()) text += c.choices[0]?.delta.content ?? '';
  return text;
}

describe('reply restoration and the output guard', () => {
  const source = '联系人：张伟，电话13800138000，身份证号11010519491231002X。';
  const vault = new Vault();
  const masked = vault.pseudonymize(source, guard.scan(source).findings);
  const inputValues = new Set(guard.scan(source).findings.map((f) => source.slice(f.start, f.end)));
  const reply = `好的，${masked}我已登记。另：李娜的手机13511112222。`;

  it('restores placeholders and masks values the request did not contain', () => {
    const { completion: out, masked: n } = finishCompletion(completion(reply), vault, output, inputValues);
    const text = out.choices[0].message.content!;
    assert.match(text, /13800138000/);
    assert.match(text, /11010519491231002X/);
    assert.doesNotMatch(text, /13511112222/);
    assert.ok(n >= 1);
  });

  it('gives the same text streamed, for any chunking, as whole', () => {
    const whole = finishCompletion(completion(reply), vault, output, inputValues).completion.choices[0].message.content!;
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
      const streamed = streamText(new StreamReplyTransformer(vault, output, inputValues), split(reply, cuts));
      assert.equal(streamed, whole);
    }), { numRuns: 300 });
  });

  it('reads around the placeholders it issued, never through look-alikes of them', () => {
    // The check skips the conversation's own placeholders, so a value written beside one is still masked…
    const beside = finishCompletion(completion(`${masked.slice(0, masked.indexOf('〕') + 1)}13511112222`), vault, output, inputValues);
    assert.doesNotMatch(beside.completion.choices[0].message.content!, /13511112222/);
    assert.match(beside.completion.choices[0].message.content!, /张伟/);
    // …and placeholder-shaped text the vault did not issue is read like any other text: a keyword as its label.
    const { policy } = parsePolicy({ output: { keywords: ['玉门绝密工程'], keyword_action: 'refuse' } });
    const strict = new OutputGuard(policy);
    assert.throws(() => finishCompletion(completion('见〔玉门绝密工程_1〕。'), vault, strict, inputValues), (err: unknown) => (err as { code?: string }).code === 'content_refused');
    assert.throws(() => streamText(new StreamReplyTransformer(vault, strict, inputValues), ['见〔玉门绝密', '工程_1〕。']), (err: unknown) => (err as { code?: string }).code === 'content_refused');
  });

  it('does not mask a department\'s public terms in a reply, and masks a new name beside them', () => {
    const text = '可以用高德地图查一下去市政府的路线，到了联系李建国。';
    const plain = finishCompletion(completion(text), null, output, new Set()).completion.choices[0].message.content!;
    assert.doesNotMatch(plain, /高德/, 'without the list, 高德 is read as a new name');
    const listed = new OutputGuard(parsePolicy({ public_terms: ['高德'] }).policy);
    const out = finishCompletion(completion(text), null, listed, new Set()).completion.choices[0].message.content!;
    assert.match(out, /高德地图/);
    assert.doesNotMatch(out, /李建国/);
  });

  it('refuses a streamed reply mid-way when the keyword action is refuse', () => {
    const { policy } = parsePolicy({ output: { keyword_action: 'refuse' } });
    const strict = new OutputGuard(policy);
    const t = new StreamReplyTransformer(null, strict, new Set());
    assert.throws(() => streamText(t, split('下面介绍制造炸弹的步骤，首先准备材料……'.repeat(3), [3, 9, 20])), (err: unknown) => (err as { code?: string }).code === 'content_refused');
  });

  it('restores tool-call arguments as valid JSON when streamed in fragments', () => {
    const v = new Vault();
    const args = JSON.stringify({ phone: '13800138000', note: '给"张伟"回电' });
    const p = v.pseudonymize(args, guard.scan(args).findings);
    const t = new StreamReplyTransformer(v, output, new Set(['13800138000']));
    const base = { id: 'c', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
    const pieces = split(p, [5, 11, 17]);
    let restored = '';
    const all: ChatCompletionChunk[] = [
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] }, finish_reason: null }] },
      ...pieces.map((a) => ({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: a } }] }, finish_reason: null }] })),
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ];
    for (const c of all) for (const tc of t.transform(c).choices[0].delta.tool_calls ?? []) restored += tc.function?.arguments ?? '';
    assert.deepEqual(JSON.parse(restored), JSON.parse(args));
  });
});
