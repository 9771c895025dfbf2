import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyApp, fillPrompt, promptVariables } from '../../src/apps/index.ts';
import type { StoredApp } from '../../src/store/index.ts';
import { YumenError } from '../../src/util/errors.ts';

const code = (fn: () => unknown) => {
  try { fn(); } catch (err) { return (err as YumenError).param; }
  return null;
};

test('variables are found once each, in order, with spaces and CJK names', () => {
  assert.deepEqual(promptVariables('你是{{ 单位 }}的助手，服务{{user_name}}。再说一次{{单位}}。'), ['单位', 'user_name']);
  assert.deepEqual(promptVariables('no variables, {single} or {{ }}'), []);
});

test('filling is one pass: a value that looks like a variable is never expanded', () => {
  const out = fillPrompt('A={{a}} B={{b}}', {}, { a: '{{b}}', b: 'x' });
  assert.equal(out, 'A={{b}} B=x');
});

test('defaults fill what the caller leaves out; missing, unknown and non-string values are refused by name', () => {
  assert.equal(fillPrompt('{{unit}}/{{who}}', { unit: '财政局' }, { who: '张三' }), '财政局/张三');
  assert.equal(code(() => fillPrompt('{{unit}}', {}, undefined)), 'variables.unit');
  assert.equal(code(() => fillPrompt('{{unit}}', {}, { unit: 'a', other: 'b' })), 'variables.other');
  assert.equal(code(() => fillPrompt('{{unit}}', {}, { unit: ['a'] })), 'variables.unit');
  assert.equal(code(() => fillPrompt('{{unit}}', {}, ['a'])), 'variables');
  assert.equal(code(() => fillPrompt('{{unit}}', {}, { unit: 'x'.repeat(4001) })), 'variables.unit');
  // A prototype key is an unknown variable, not a way around the check.
  assert.equal(code(() => fillPrompt('{{unit}}', { unit: 'u' }, JSON.parse('{"__proto__": "x"}'))), 'variables.__proto__');
});

test("applyApp prepends the prompt, joins knowledge bases, drops the variables field and keeps the caller's tenant", () => {
  const app: StoredApp = {
    id: '1', slug: 's', tenantId: 'T', name: 'n', description: null, model: 'local', systemPrompt: '你是{{unit}}助手', knowledgeBases: ['kb1'],
    variables: {}, welcome: null, suggestedQuestions: [], sharedWith: [], createdBy: null, createdAt: 0, updatedAt: 0,
  };
  const principal = { tenantId: 'T', tenantName: 't', keyId: 'k', allowedModels: new Set(['app:s']) };
  const { principal: p, request } = applyApp(app, principal, { model: 'app:s', variables: { unit: '档案馆' }, knowledge_bases: ['kb2', 'kb1'], messages: [{ role: 'system', content: '客户端系统' }, { role: 'user', content: '问' }] });
  assert.equal(request.model, 'local');
  assert.equal('variables' in request, false);
  assert.deepEqual(request.knowledge_bases, ['kb1', 'kb2']);
  assert.deepEqual(request.messages.map((m) => m.content), ['你是档案馆助手', '客户端系统', '问']);
  assert.equal(p.tenantId, 'T');
  assert.equal(p.allowedModels, null, 'the app chooses the model for a key restricted to the app');
});
