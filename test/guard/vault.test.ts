import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { createGuard, Vault } from '../../src/guard/index.ts';
import type { Finding } from '../../src/guard/index.ts';

const guard = createGuard({ customTerms: [{ term: '天穹计划', label: '项目代号' }] });

function pseudo(vault: Vault, text: string): string {
  return vault.pseudonymize(text, guard.scan(text).findings);
}

test('typed placeholders; the same value keeps its placeholder across a conversation', () => {
  const vault = new Vault();
  const a = pseudo(vault, '联系人：张伟，电话13800138000');
  assert.equal(a, '联系人：〔姓名_1〕，电话〔手机号_1〕');
  const b = pseudo(vault, '再联系一次13800138000，另一个号码13900139000，天穹计划');
  assert.equal(b, '再联系一次〔手机号_1〕，另一个号码〔手机号_2〕，〔项目代号_1〕');
  assert.equal(vault.size, 4);
  assert.equal(vault.restore(b), '再联系一次13800138000，另一个号码13900139000，天穹计划');
});

test('restore tolerates what models do to placeholders', () => {
  const vault = new Vault();
  pseudo(vault, '电话13800138000');
  for (const p of ['〔手机号_1〕', '[手机号_1]', '〔 手机号_1 〕', '【手机号_1】', '［手机号＿１］', '(手机号 _ 1)']) {
    assert.equal(vault.restore(`号码是${p}。`), '号码是13800138000。', p);
  }
  assert.equal(vault.restore('〔手机号_9〕'), '〔手机号_9〕', 'unknown placeholders stay');
});

test('restoreJson escapes values for JSON strings, including \\u-escaped placeholders', () => {
  const vault = new Vault();
  const text = '密码：Ab"c\\d12';
  const out = vault.pseudonymize(text, [{ type: 'secret', start: 3, end: text.length, level: 'sensitive', score: 1, detector: 't' }]);
  assert.equal(out, '密码：〔密钥_1〕');
  const args = JSON.stringify({ password: '〔密钥_1〕', note: 'x' });
  assert.deepEqual(JSON.parse(vault.restoreJson(args)), { password: 'Ab"c\\d12', note: 'x' });
  const escaped = '{"password":"\\u3014\\u5bc6\\u94a5_1\\u3015"}';
  assert.deepEqual(JSON.parse(vault.restoreJson(escaped)), { password: 'Ab"c\\d12' });
});

test('vault contents never show in inspect, JSON or string form', () => {
  const vault = new Vault();
  pseudo(vault, '身份证11010519491231002X，电话13800138000');
  const shown = [inspect(vault), JSON.stringify(vault), String(vault), `${vault}`, inspect({ vault }, { depth: 5 })];
  for (const s of shown) {
    assert.ok(!s.includes('13800138000') && !s.includes('11010519491231002X'), s);
  }
  assert.equal(JSON.stringify(vault), '{"size":2}');
});

test('text that already looks like a placeholder survives the round trip', () => {
  const vault = new Vault();
  const text = '模板〔手机号_1〕和[姓名_2]，实际号码13800138000';
  const out = pseudo(vault, text);
  assert.equal(vault.restore(out), text);
  const later = '用户回贴了〔手机号_2〕原样文字';
  assert.equal(vault.restore(pseudo(vault, later)), later);
});

// Text made of the characters that matter: placeholder brackets, labels, digits, separators, CJK.
const alphabet = fc.constantFrom(
  ...'〔〕【】[]()（）［］_＿ 0123456789１手机号姓名密钥a张伟，。\n'.split(''), '〔手机号_1〕', '[姓名_2]', '13800138000', '张伟',
);
const textArb = fc.array(alphabet, { maxLength: 60 }).map((a) => a.join(''));

function randomFindings(text: string, cuts: number[]): Finding[] {
  const pts = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const findings: Finding[] = [];
  for (let i = 0; i + 1 < pts.length; i += 2) {
    if (pts[i] < pts[i + 1]) {
      findings.push({ type: i % 4 === 0 ? 'cn_mobile' : 'person_name', start: pts[i], end: pts[i + 1], level: 'sensitive', score: 1, detector: 't' });
    }
  }
  return findings;
}

test('property: restore(pseudonymize(x)) === x for any text and any findings', () => {
  fc.assert(
    fc.property(fc.array(textArb, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 8 }), (texts, cuts) => {
      const vault = new Vault();
      for (const t of texts) {
        assert.equal(vault.restore(vault.pseudonymize(t, randomFindings(t, cuts))), t);
        assert.equal(vault.restore(pseudo(vault, t)), t);
      }
    }),
    { numRuns: 500 },
  );
});

test('property: restore(pseudonymize(x)) === x for arbitrary unicode strings with guard findings', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (t) => {
      const vault = new Vault();
      assert.equal(vault.restore(pseudo(vault, t)), t);
    }),
    { numRuns: 300 },
  );
});

test('blankPlaceholders blanks the placeholders the vault issued, in any form a model writes them, and nothing else', () => {
  const vault = new Vault();
  const out = pseudo(vault, '联系人张伟，手机13800138000。');
  const phone = out.match(/〔手机号_\d+〕/)![0];
  const reply = `请拨${phone}或【手机号 _ １】，不是〔手机号_9〕，也不是〔姓名_1〕以外的人。`;
  const blanked = vault.blankPlaceholders(reply);
  assert.equal(blanked.length, reply.length);
  assert.ok(!blanked.includes(phone) && !blanked.includes('【手机号 _ １】'));
  assert.ok(blanked.includes('〔手机号_9〕'), 'a placeholder the vault never issued is text like any other');
  assert.ok(!blanked.includes('〔姓名_1〕'));
  assert.equal(blanked.replace(/\u3000+/g, '#'), '请拨#或#，不是〔手机号_9〕，也不是#以外的人。');
  assert.equal(new Vault().blankPlaceholders(reply), reply);
});
