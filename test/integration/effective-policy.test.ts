/**
 * Regression (issue 12, item 7): the admin API showed the nearest department's own policy while the gateway
 * merged the configuration, policy.tenants and every department layer from the root down. Both now use
 * policy/effective.ts; the API shows each layer and the result.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKeyRepository, createDepartmentRepository } from '../../src/store/index.ts';
import { loginAs, startFixture, type Fixture } from '../governance/helpers.ts';

describe('the policy shown is the policy enforced', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture('sqlite', {}, {}, {
      models: [{ name: 'cloud', provider: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', zone: 'external' }],
      policy: { output: { keyword_action: 'refuse' }, tenants: { '财政局-预算处': { levels: { internal: { external: 'block' } } } } },
    });
    const depts = createDepartmentRepository(f.yumen.store.db);
    await depts.setPolicy(f.dept.A, { types: { email: 'block' } });
    await depts.setPolicy(f.dept.A1, { types: { cn_mobile: 'reroute' } });
  });
  after(async () => f?.close());

  it('GET /api/departments/{id}/policy lists every layer root first and the merged result', async () => {
    const sec = await loginAs(f.url, 'sec');
    const res = await sec.req('GET', `/api/departments/${f.dept.A1}/policy`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body;
    assert.deepEqual(body.layers.map((l: any) => l.source), ['config', 'policy.tenants.财政局-预算处', `department:${f.dept.A}`, `department:${f.dept.A1}`]);
    assert.deepEqual(body.own, { types: { cn_mobile: 'reroute' } });
    assert.deepEqual(body.policy, body.own, 'today\'s field stays');
    const eff = body.effective.policy;
    assert.deepEqual(eff.types.email, { private: 'block', external: 'block' }, 'inherited from the parent department');
    assert.deepEqual(eff.types.cn_mobile, { private: 'reroute', external: 'reroute' });
    assert.equal(eff.levels.internal.external, 'block', 'from policy.tenants');
    assert.equal(eff.output.keyword_action, 'refuse', 'from the configuration');
    assert.deepEqual(eff.unreadable_attachments, { private: 'allow', external: 'reroute' }, 'the default, shown');
    assert.equal(body.effective.source_department_id, f.dept.A1);
  });

  it('the gateway enforces the inherited layer the old view did not show', async () => {
    const { secret } = await createApiKeyRepository(f.yumen.store.db).create({ tenantId: f.dept.A1 });
    const res = await fetch(`${f.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cloud', messages: [{ role: 'user', content: '请发到 zhang.wei@example.gov.cn' }] }),
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as any).error.code, 'policy_blocked');
  });
});
