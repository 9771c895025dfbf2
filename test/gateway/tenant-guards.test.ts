import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildPolicySet } from '../../src/policy/index.ts';
import { TenantGuards, type PolicySource } from '../../src/gateway/tenant-guards.ts';

const tenant = { tenantId: 't-1', tenantName: '规划局' };
const settle = () => new Promise((r) => setImmediate(r));

/** A policy source whose answers the test changes, counting how often it is read. */
function source() {
  const state = { terms: [{ term: '玉门计划' }] as Array<{ term: string; label?: string }>, policy: null as unknown, reads: 0 };
  const src: PolicySource = {
    async policyChain() {
      state.reads++;
      return state.policy ? [{ tenantId: 't-1', policy: state.policy }] : [];
    },
    async dictionaryTerms() {
      return state.terms;
    },
  };
  return { state, src };
}

describe('tenant guards', () => {
  const { set } = buildPolicySet({}, []);

  it('keeps the compiled guards when a refresh finds nothing changed, and recompiles when something did', async () => {
    const { state, src } = source();
    const guards = new TenantGuards(set, { source: src, refreshMs: 0 });
    const first = await guards.for(tenant);
    assert.equal(first.guard.scan('关于玉门计划的说明').findings[0]?.type, 'custom_term');
    for (let i = 0; i < 3; i++) {
      await guards.for(tenant);
      await settle();
    }
    assert.ok(state.reads >= 3, 'every refresh reads the source');
    assert.equal(await guards.for(tenant), first, 'unchanged inputs: the same compiled guards');

    state.terms = [{ term: '阳关项目' }];
    await guards.for(tenant); // serves the old guards while the new ones compile
    await settle();
    const changed = await guards.for(tenant);
    assert.notEqual(changed, first);
    assert.equal(changed.guard.scan('关于阳关项目的说明').findings[0]?.type, 'custom_term');
    assert.equal(changed.guard.scan('关于玉门计划的说明').findings.length, 0);

    state.policy = { output: { keywords: ['违禁词甲'] } };
    await guards.for(tenant);
    await settle();
    const withKeywords = await guards.for(tenant);
    assert.notEqual(withKeywords, changed, 'a policy change recompiles too');
    assert.equal(withKeywords.output.check('这里有违禁词甲。', new Set()).masked, 1);
  });

  it('compiles once for policies that come from the configuration alone', async () => {
    const guards = new TenantGuards(set, { refreshMs: 0 });
    const first = await guards.for(tenant);
    await guards.for(tenant);
    await settle();
    assert.equal(await guards.for(tenant), first);
  });
});
