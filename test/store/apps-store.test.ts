import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAppRepository, createConversationRepository, createFeedbackRepository } from '../../src/store/index.ts';
import { testDialects, useFreshStore } from '../helpers/db.ts';

const base = { name: 'n', description: null, model: 'auto', systemPrompt: 'p', knowledgeBases: ['kb'], variables: { a: '1' }, welcome: null, suggestedQuestions: ['q'], createdBy: null };

for (const dialect of await testDialects()) {
  describe(`apps and feedback store on ${dialect}`, () => {
    const fresh = useFreshStore(dialect);

    it('apps: create, list by owner or share, update shares, conflict on slug, delete', async () => {
      const apps = createAppRepository(fresh.store.db);
      const a = await apps.create({ ...base, slug: 'a', tenantId: 'T1', sharedWith: ['T2', 'T2'] });
      assert.deepEqual(a.sharedWith, ['T2']);
      assert.deepEqual(a.variables, { a: '1' });
      await apps.create({ ...base, slug: 'b', tenantId: 'T3' });
      await assert.rejects(apps.create({ ...base, slug: 'a', tenantId: 'T3' }), /already exists/);
      assert.deepEqual((await apps.list({ tenantIds: ['T2'], includeShared: true })).map((x) => x.slug), ['a']);
      assert.deepEqual((await apps.list({ tenantIds: ['T2'] })).map((x) => x.slug), []);
      assert.deepEqual((await apps.list()).map((x) => x.slug), ['a', 'b']);
      const u = await apps.update('a', { sharedWith: [], model: 'local', suggestedQuestions: [] });
      assert.deepEqual([u!.sharedWith, u!.model, u!.suggestedQuestions, u!.knowledgeBases], [[], 'local', [], ['kb']]);
      assert.equal(await apps.update('zzz', { name: 'x' }), undefined);
      assert.equal(await apps.delete('a'), true);
      assert.equal(await apps.delete('a'), false);
      assert.equal(await apps.findBySlug('a'), undefined);
    });

    it("feedback: one per exchange, and exchanges page in order with their own department's feedback only", async () => {
      const conv = createConversationRepository(fresh.store.db);
      const fb = createFeedbackRepository(fresh.store.db);
      const rows = Array.from({ length: 7 }, (_, i) => ({ id: `r${i}`, createdAt: 1000 + Math.floor(i / 2), tenantId: 'T', keyId: null, model: 'm', zone: 'private', messages: [{ role: 'user', content: `q${i}` }], completion: `a${i}`, app: i === 3 ? 'hall' : null }));
      await conv.insertMany([...rows, { ...rows[0], id: 'other', tenantId: 'U' }]);
      await fb.upsert({ requestId: 'r1', tenantId: 'T', keyId: null, rating: -1, correction: null, comment: null });
      await fb.upsert({ requestId: 'r1', tenantId: 'T', keyId: 'k', rating: 1, correction: 'fixed', comment: 'c' });
      await fb.upsert({ requestId: 'r2', tenantId: 'U', keyId: null, rating: -1, correction: 'forged', comment: null });
      assert.equal((await fb.find('r1'))!.rating, 1);
      const seen: string[] = [];
      let after: { createdAt: number; id: string } | undefined;
      for (;;) {
        const page = await fb.exchanges({ tenantId: 'T', after, limit: 3 });
        seen.push(...page.map((e) => e.id));
        if (page.length < 3) break;
        after = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
      }
      assert.deepEqual(seen, ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
      const all = await fb.exchanges({ tenantId: 'T', limit: 100 });
      assert.deepEqual([all[1].rating, all[1].correction], [1, 'fixed']);
      assert.deepEqual([all[2].rating, all[2].correction], [null, null], "another department's feedback does not count");
      assert.deepEqual((await fb.exchanges({ tenantId: 'T', app: 'hall', limit: 100 })).map((e) => e.id), ['r3']);
      assert.deepEqual((await fb.exchanges({ tenantId: 'T', since: 1003, limit: 100 })).map((e) => e.id), ['r6']);
      assert.equal((await conv.findById('r3'))!.app, 'hall');
    });
  });
}
