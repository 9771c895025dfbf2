import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createUsageRepository, createUsageStatsRepository, type UsageRecord } from '../../src/store/index.ts';
import { testDialects, useFreshStore } from '../helpers/db.ts';

const DAY = 86_400_000;
const day0 = Math.floor(Date.UTC(2026, 10, 1) / DAY) * DAY;

function record(over: Partial<UsageRecord>): UsageRecord {
  return {
    id: `r-${Math.random().toString(36).slice(2)}`, createdAt: day0, tenantId: 'A', keyId: null, endpoint: 'chat', model: 'cloud', backend: null,
    zone: 'external', stream: false, status: 200, errorCode: null, promptTokens: 3, completionTokens: 2, latencyMs: 10, level: 'public',
    decision: 'allow', redactions: 0, findings: null, ...over,
  };
}

for (const dialect of await testDialects()) {
  describe(`usage stats for the console overview (${dialect})`, () => {
    const fresh = useFreshStore(dialect);

    test('groups calls by day, department, zone and model; counts refusals, pseudonymized calls and findings; private backend latency', async () => {
      const usage = createUsageRepository(fresh.store.db);
      await usage.insertMany([
        record({ redactions: 2, findings: { cn_mobile: 1, email: 1 } }),
        record({ createdAt: day0 + 1000, status: 403, findings: { classified_marking: 1 } }),
        record({ createdAt: day0 + DAY, zone: 'private', model: 'local', backend: 'http://gpu-a', latencyMs: 30 }),
        record({ createdAt: day0 + DAY + 5, zone: 'private', model: 'local', backend: 'http://gpu-a', latencyMs: 50 }),
        record({ tenantId: 'B', findings: { cn_mobile: 2 } }),
        record({ createdAt: day0 - DAY }), // before the window
      ]);
      const stats = createUsageStatsRepository(fresh.store.db);
      const all = await stats.summarize({ since: day0, bucketMs: DAY });
      const cell = (tenant: string, bucket: number, zone: string) => all.cells.find((c) => c.tenantId === tenant && c.bucket === bucket && c.zone === zone);
      assert.deepEqual(cell('A', day0 / DAY, 'external'), { bucket: day0 / DAY, tenantId: 'A', zone: 'external', model: 'cloud', calls: 2, tokens: 10, refused: 1, pseudonymized: 1 });
      assert.equal(cell('A', day0 / DAY + 1, 'private')!.calls, 2);
      assert.deepEqual(all.findings, { cn_mobile: 3, email: 1, classified_marking: 1 });
      assert.deepEqual(all.privateBackends, [{ backend: 'http://gpu-a', calls: 2, avgLatencyMs: 40, maxLatencyMs: 50 }]);

      // Another department's calls stay out of a department-scoped summary; an empty reach sees nothing.
      const onlyB = await stats.summarize({ since: day0, bucketMs: DAY, tenantIds: ['B'] });
      assert.deepEqual(onlyB.cells.map((c) => c.tenantId), ['B']);
      assert.deepEqual(onlyB.findings, { cn_mobile: 2 });
      assert.deepEqual(await stats.summarize({ since: day0, bucketMs: DAY, tenantIds: [] }), { cells: [], findings: {}, privateBackends: [] });
    });
  });
}
