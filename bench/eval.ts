/**
 * A real evaluation run on the embedded engine: a CMMLU subject through the whole gateway pipeline (guard,
 * policy, limits, audit) as a department, with the tiny GGUF of ../shared/models. Reports items/s and wall
 * time, and writes results.json + report.html. The tiny model knows no Chinese: its accuracy is chance; the
 * point is the throughput of the harness and the engine.
 * Usage: npm run bench:eval [-- --model FILE --subject NAME --limit N --shots K --concurrency N --threads N --out DIR]
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../src/config/index.ts';
import { gatewayClient, parseSuite, runSuite, writeReport } from '../src/eval/index.ts';
import { startYumen } from '../src/server/bootstrap.ts';
import { createApiKeyRepository, createTenantRepository } from '../src/store/index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const shared = resolve(here, '../../shared');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join(shared, 'models/stories260K.gguf') },
    subject: { type: 'string', default: 'professional_accounting' },
    limit: { type: 'string', default: '100' },
    shots: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '1' },
    threads: { type: 'string', default: '1' },
    out: { type: 'string', default: join(here, '../eval-results/bench') },
  },
});
const test = join(shared, `datasets/cmmlu/data/test/${values.subject}.csv`);
if (!existsSync(values.model!) || !existsSync(test)) {
  console.log(`skipped: needs ${values.model} and ${test} (../shared beside the project)`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'yumen-bench-eval-'));
const running = await startYumen({
  ...DEFAULTS, server: { ...DEFAULTS.server, port: 0 }, log: { level: 'silent' }, data_dir: dir,
  storage: { url: `sqlite:${join(dir, 'yumen.db')}` },
  models: [{ name: 'tiny', provider: 'llama-cpp', path: values.model!, zone: 'private', threads: Number(values.threads), parallel: Number(values.concurrency) }],
}, { port: 0, logger: false });
const tenant = await createTenantRepository(running.store.db).ensure('bench-eval');
const { secret } = await createApiKeyRepository(running.store.db).create({ tenantId: tenant.id, name: 'bench', allowedModels: null, expiresAt: null });
const suite = parseSuite({
  name: `CMMLU ${values.subject}`, tenant: 'bench-eval', models: ['tiny'], concurrency: Number(values.concurrency),
  tasks: [{ name: values.subject, type: 'mcq', dataset: test, dev: join(shared, `datasets/cmmlu/data/dev/${values.subject}.csv`), shots: Number(values.shots), limit: Number(values.limit) }],
}, here);
// One call first so model loading is not counted as evaluation time.
await fetch(`${running.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 }) });
const started = performance.now();
const { results, records } = await runSuite(suite, gatewayClient(running.url, secret));
const seconds = (performance.now() - started) / 1000;
writeReport(values.out!, results, records);
await running.close();
const r = results.models.tiny[values.subject!];
console.log(`| ${values.subject} | ${r.n} items, ${values.shots}-shot | threads ${values.threads}, concurrency ${values.concurrency} | accuracy ${r.score?.toFixed(3)} (${r.method}) | errors ${r.errors} | wall ${seconds.toFixed(1)} s | ${(records.length / seconds).toFixed(2)} items/s |`);
console.log(`report: ${join(values.out!, 'report.html')}`);
