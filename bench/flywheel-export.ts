/**
 * npm run bench:flywheel — `yumen dataset export` on a known number of captured exchanges: wall time and
 * exchanges/s of curation (feedback join, dedup, re-scan by the guard, synthetic values) and the LLaMA-Factory
 * rows, on a temporary SQLite file. Each exchange is a short Chinese question and answer with placeholders
 * as the capture stores them; one in ten is corrected, one in ten rated -1, one in five a duplicate.
 *
 * Options (env): BENCH_EXCHANGES (default 20000).
 */
import { createGuard } from '../src/guard/index.ts';
import { buildDatasetExport, exportRequest } from '../src/flywheel/index.ts';
import { createConversationRepository, createFeedbackRepository, openStore } from '../src/store/index.ts';
import { createTestDatabase } from '../test/helpers/db.ts';

const N = Number(process.env.BENCH_EXCHANGES ?? 20_000);
const tdb = await createTestDatabase('sqlite');
const store = await openStore(tdb.url);
const conv = createConversationRepository(store.db);
const fb = createFeedbackRepository(store.db);
const rows = Array.from({ length: N }, (_, i) => {
  const k = i % 5 === 4 ? i - 1 : i; // every fifth repeats the one before
  return {
    id: `req_${String(i).padStart(8, '0')}`, createdAt: 1_700_000_000_000 + i, tenantId: 'T', keyId: null, model: 'm', zone: 'private',
    messages: [{ role: 'system', content: '你是档案馆助手。' }, { role: 'user', content: `请为联系人〔姓名_1〕（电话〔手机号_1〕）查询第${k}号档案的借阅规定，并说明办理流程。` }],
    completion: `〔姓名_1〕您好：第${k}号档案可在工作日借阅，需携带身份证〔身份证号_1〕到二楼服务台登记，审批后三日内取阅。`,
  };
});
for (let i = 0; i < N; i += 500) await conv.insertMany(rows.slice(i, i + 500));
for (let i = 0; i < N; i += 10) await fb.upsert({ requestId: rows[i].id, tenantId: 'T', keyId: null, rating: -1, correction: i % 20 === 0 ? `更正：第${i}号档案须提前一日预约。` : null, comment: null });

const guard = createGuard();
for (const format of ['alpaca', 'sharegpt'] as const) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const exp = await buildDatasetExport(fb, guard, exportRequest({ tenantId: 'T', format }));
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const s = exp.stats;
  console.log(`${format}: ${N} exchanges in ${ms.toFixed(0)} ms (${Math.round(N / (ms / 1000))} exchanges/s, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms); kept ${s.kept}, pairs ${s.pairs}, rejected ${s.rejected}, duplicates ${s.duplicates}`);
}
await store.close();
await tdb.drop();
