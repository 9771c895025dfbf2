import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, Vault } from '../../src/guard/index.ts';
import { CHAT_REQUEST_SHAPE, composeOutbound, inspectBody, mapStrings, pseudonymizeBody } from '../../src/gateway/index.ts';
import { JUNCTION_REACH } from '../../src/gateway/junction.ts';
import { restoreStrings, StreamReplyTransformer } from '../../src/gateway/reply.ts';
import { OutputGuard } from '../../src/gateway/output-guard.ts';
import { DEFAULT_POLICY } from '../../src/policy/index.ts';
import type { ChatCompletionChunk } from '../../src/providers/index.ts';

const guard = createGuard();
const PHONE = '13800138000';
const ALL = new Set(['cn_mobile', 'cn_id_card', 'person_name', 'secret', 'email'] as const);

describe('the outbound walk', () => {
  it('visits every string and every non-structure key, and copies only what changes', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], metadata: { [PHONE]: ['x', { y: 'z' }] }, n: 1 };
    const seen: string[] = [];
    const same = mapStrings(body, (t, p) => { seen.push(`${p}=${t}`); return t; });
    assert.equal(same, body, 'an inspection allocates nothing');
    assert.deepEqual(seen, ['/model=m', '/messages/0/role=user', '/messages/0/content=hi', `/metadata/${PHONE}\u0000=${PHONE}`, `/metadata/${PHONE}/0=x`, `/metadata/${PHONE}/1/y\u0000=y`, `/metadata/${PHONE}/1/y=z`]);
    const changed = mapStrings(body, (t) => (t === 'z' ? 'Z' : t));
    assert.notEqual(changed, body);
    assert.equal(changed.messages, body.messages, 'untouched branches are shared');
    assert.equal((body.metadata[PHONE][1] as { y: string }).y, 'z', 'the original is not modified');
  });

  it('renames a pseudonymized key without touching the prototype, even for a "__proto__" key', () => {
    const body = JSON.parse(`{"metadata":{"__proto__":{"${PHONE}":"${PHONE}"}}}`);
    const inspection = inspectBody(guard, body);
    const { body: out } = pseudonymizeBody(body, inspection, ALL, new Vault());
    assert.ok(!JSON.stringify(out).includes(PHONE));
    assert.equal(({} as Record<string, unknown>)[PHONE], undefined);
    assert.equal(Object.getPrototypeOf(out.metadata), Object.prototype);
  });

  it('refuses bodies nested deeper than the limit instead of overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    assert.throws(() => mapStrings({ a: deep }, (t) => t), (e: Error & { code?: string }) => e.code === 'invalid_request');
  });

  it('pseudonymizes tool-call and legacy function-call arguments as JSON, and restore mirrors every field', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'assistant', content: null, function_call: { name: 'f', arguments: JSON.stringify({ phone: PHONE }) }, tool_calls: [{ id: 'c', type: 'function', function: { name: 'g', arguments: JSON.stringify({ phone: PHONE }) } }] },
      ],
    };
    const vault = new Vault();
    const { body: out, redactions } = pseudonymizeBody(body, inspectBody(guard, body), ALL, vault);
    assert.equal(redactions, 2);
    assert.doesNotThrow(() => JSON.parse(out.messages[0].function_call.arguments));
    assert.ok(!JSON.stringify(out).includes(PHONE));
    const reply = { role: 'assistant', content: '〔手机号_1〕', refusal: '不能给〔手机号_1〕打电话', function_call: out.messages[0].function_call, tool_calls: out.messages[0].tool_calls };
    const restored = restoreStrings(reply, vault);
    assert.equal(restored.content, PHONE);
    assert.equal(restored.refusal, `不能给${PHONE}打电话`);
    assert.equal(JSON.parse(restored.function_call.arguments).phone, PHONE);
    assert.equal(JSON.parse(restored.tool_calls[0].function.arguments).phone, PHONE);
  });

  it('finds a value split across messages and replaces each piece where it sits', () => {
    const body: { model: string; messages: Array<{ role: string; content: any }> } = { model: 'm', messages: [{ role: 'user', content: `电话${PHONE.slice(0, 4)}` }, { role: 'user', content: [{ type: 'text', text: PHONE.slice(4, 8) }, { type: 'text', text: `${PHONE.slice(8)}，谢谢` }] }] };
    const inspection = inspectBody(guard, body);
    assert.deepEqual(inspection.counts, { cn_mobile: 1 }, 'counted once');
    assert.ok(inspection.values.has(PHONE), 'the whole value is known to the output guard');
    const vault = new Vault();
    const { body: out } = pseudonymizeBody(body, inspection, ALL, vault);
    const text = JSON.stringify(out.messages);
    for (const piece of [PHONE.slice(0, 4), PHONE.slice(4, 8)]) assert.ok(!text.includes(piece), text);
    assert.equal(vault.restore(`${out.messages[0].content}${out.messages[1].content[0].text}${out.messages[1].content[1].text}`), `电话${PHONE}，谢谢`);
  });

  it('reads the joined texts only around each junction, and still finds what a junction splits deep in a long conversation', () => {
    const filler = (n: number) => '会议讨论了下一阶段的工作安排，请各部门按时提交材料。'.repeat(10).slice(0, n);
    const messages: Array<{ role: string; content: string }> = [];
    for (let i = 0; i < 30; i++) messages.push({ role: i % 2 ? 'assistant' : 'user', content: filler(200) });
    messages[20] = { role: 'user', content: `${filler(190)}电话${PHONE.slice(0, 5)}` };
    messages[21] = { role: 'user', content: `${PHONE.slice(5)}，${filler(180)}` };
    const scanned: string[] = [];
    const counting = { scan: (t: string) => { scanned.push(t); return guard.scan(t); } };
    const body = { model: 'm', messages };
    const inspection = inspectBody(counting, body);
    assert.deepEqual(inspection.counts, { cn_mobile: 1 });
    const joinedLength = messages.reduce((n, m) => n + m.content.length, 0);
    const windows = scanned.filter((t) => !messages.some((m) => m.content === t) && t.length > 20);
    assert.equal(windows.length, 29, 'one window per junction');
    assert.ok(windows.every((t) => t.length <= 4 * JUNCTION_REACH), 'never the whole conversation joined');
    assert.ok(scanned.reduce((n, t) => n + t.length, 0) < 2 * joinedLength);
    const { body: out } = pseudonymizeBody(body, inspection, ALL, new Vault());
    assert.ok(!out.messages[20].content.includes(PHONE.slice(0, 5)) && !out.messages[21].content.startsWith(PHONE.slice(5)), JSON.stringify(out.messages.slice(20, 22)));
  });

  it('takes a cue from the neighbouring message, and never a piece of a number cut by a window edge', () => {
    const cue = inspectBody(guard, { model: 'm', messages: [{ role: 'user', content: '请登记以下人员。姓名：' }, { role: 'user', content: '张伟' }] });
    assert.deepEqual(cue.counts, { person_name: 1 });
    // An order number that is no personal data: a window beginning inside it, at 13800138000, would read a
    // mobile number. The window widens to the whole number, and a finding at a cut edge is never taken.
    const order = '2024010113800138000';
    const first = `订单号${order}${'。'.repeat(JUNCTION_REACH - 11)}`;
    assert.equal(first.slice(first.length - JUNCTION_REACH, first.length - JUNCTION_REACH + 11), PHONE, 'the unwidened window starts at the phone-shaped tail');
    const cut = inspectBody(guard, { model: 'm', messages: [{ role: 'user', content: first }, { role: 'user', content: '请核对' }] });
    assert.deepEqual(cut.counts, {});
  });

  it('replaces a value found once wherever it recurs, exactly as written, with few known values and with many', () => {
    const key = 'AKIAIOSFODNN7EXAMPLE';
    for (const count of [1, 40]) {
      const phones = Array.from({ length: count }, (_, i) => `1380013${String(8000 + i).padStart(4, '0')}`);
      const body = {
        model: 'm',
        messages: [
          { role: 'user', content: `联系电话：${phones.join('、')}；密钥 ${key}` },
          // Bare repeats, and a case variant of the key that is another string (and no key by itself).
          { role: 'user', content: `再说一次 ${phones.at(-1)}，${key.toLowerCase()}，${key}` },
        ],
      };
      const vault = new Vault();
      const { body: out } = pseudonymizeBody(body, inspectBody(guard, body), ALL, vault);
      const second = out.messages[1].content;
      assert.ok(!second.includes(phones.at(-1)!), `the bare phone is replaced (${count} known values): ${second}`);
      assert.ok(!second.includes(`，${key}`), `the key as written is replaced: ${second}`);
      assert.ok(second.includes(key.toLowerCase()), `a case variant is another string: ${second}`);
      assert.equal(vault.restore(second), body.messages[1].content, `${count} known values`);
    }
  });

  it('does not join unrelated texts into findings that are not there', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: '订单 2024' }, { role: 'user', content: '年的报表' }] };
    assert.deepEqual(inspectBody(guard, body).counts, {});
  });

  it('composes the external body from known fields only; a private body is the client\'s', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a', secret_field: 'b' }], extra: 1 }], temperature: 0.1, x_new_api_field: { text: 'c' } };
    const ext = composeOutbound(body, CHAT_REQUEST_SHAPE, 'external');
    assert.deepEqual(ext.body, { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }], temperature: 0.1 });
    assert.deepEqual(ext.dropped.sort(), ['/messages/0/content/0/secret_field', '/messages/0/extra', '/x_new_api_field']);
    assert.equal(composeOutbound(body, CHAT_REQUEST_SHAPE, 'private').body, body);
  });

  it('restores streamed legacy function-call arguments and other text fields of a delta', () => {
    const vault = new Vault();
    vault.pseudonymize(PHONE, guard.scan(PHONE).findings);
    const t = new StreamReplyTransformer(vault, new OutputGuard(DEFAULT_POLICY), new Set([PHONE]));
    const chunk = (delta: Record<string, unknown>, finish: string | null = null): ChatCompletionChunk => ({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
    const out = [
      t.transform(chunk({ function_call: { name: 'f', arguments: '{"p":"〔手机' } })),
      t.transform(chunk({ function_call: { arguments: '号_1〕"}' }, reasoning_content: '想想〔手' })),
      t.transform(chunk({ reasoning_content: '机号_1〕' }, 'function_call')),
    ];
    const args = out.map((c) => (c.choices[0].delta.function_call as { arguments?: string } | undefined)?.arguments ?? '').join('');
    assert.equal(JSON.parse(args).p, PHONE);
    assert.equal(out.map((c) => c.choices[0].delta.reasoning_content ?? '').join(''), `想想${PHONE}`);
  });
});
