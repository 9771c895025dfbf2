import { basename, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { AnswerCache, gatewayClient, loadSuite, runSuite, SuiteError, writeReport, type Suite } from '../../eval/index.ts';
import { startYumen } from '../../server/bootstrap.ts';
import { createApiKeyRepository, createTenantRepository } from '../../store/index.ts';
import { fail, loadValidatedConfig, withConfigOption } from '../config-option.ts';

interface EvalRunOptions { config?: string; models?: string; out?: string; url?: string; key?: string; concurrency?: string; fresh?: boolean }

/** A gateway to evaluate through: the one at --url with --key, or this installation started in-process. */
async function openGateway(opts: EvalRunOptions, suite: Suite): Promise<{ url: string; key: string; close(): Promise<void> }> {
  if (opts.url) {
    const key = opts.key ?? process.env.YUMEN_API_KEY;
    if (!key) throw new Error('--url needs --key (or $YUMEN_API_KEY): an API key of the suite\'s department');
    return { url: opts.url, key, close: async () => {} };
  }
  const config = loadValidatedConfig(opts.config);
  const running = await startYumen({ ...config, log: { ...config.log, level: 'silent' } }, { host: '127.0.0.1', port: 0, logger: false });
  try {
    // A key of the suite's department for this run alone: its calls are that department's, in its audit trail.
    const tenant = await createTenantRepository(running.store.db).ensure(suite.tenant);
    const keys = createApiKeyRepository(running.store.db);
    const { row: { id }, secret } = await keys.create({ tenantId: tenant.id, name: `yumen eval: ${suite.name}`, allowedModels: null, expiresAt: Date.now() + 86_400_000 });
    return {
      url: running.url, key: secret,
      async close() {
        await keys.revoke(id);
        await running.close();
      },
    };
  } catch (err) {
    await running.close();
    throw err;
  }
}

async function checkModels(url: string, key: string, wanted: string[]): Promise<void> {
  const res = await fetch(`${url.replace(/\/+$/, '')}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`${url}/v1/models answered ${res.status}: is the key right?`);
  const known = new Set(((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id));
  const missing = wanted.filter((m) => !known.has(m));
  if (missing.length) throw new Error(`model(s) ${missing.join(', ')} not available to this department; available: ${[...known].join(', ') || 'none'}`);
}

export function registerEvalCommand(program: Command): void {
  const evalCmd = program.command('eval').description('evaluate models on the organisation\'s own tasks, through the gateway / 模型评测');
  withConfigOption(evalCmd.command('run <suite>'))
    .description('run every task of SUITE.yaml against every model as the suite\'s department; writes results.json, items.jsonl and report.html; exit 0 when it ran, 1 when items failed')
    .option('--models <names>', 'comma-separated models instead of the suite\'s')
    .option('-o, --out <dir>', 'output folder (default: ./eval-results/<suite file name>)')
    .option('--url <url>', 'evaluate through a running gateway at this address instead of starting one in-process')
    .option('--key <key>', 'with --url: an API key of the suite\'s department (default: $YUMEN_API_KEY)')
    .option('--concurrency <n>', 'calls in flight per model (default: the suite\'s, or 4)')
    .option('--fresh', 'ignore answers kept from an earlier run in the output folder')
    .action(async (suiteFile: string, opts: EvalRunOptions) => {
      try {
        const suite = loadSuite(suiteFile);
        if (opts.concurrency !== undefined) {
          const n = Number(opts.concurrency);
          if (!Number.isInteger(n) || n < 1) throw new SuiteError(`--concurrency: expected a positive integer, got ${opts.concurrency}`);
          suite.concurrency = n;
        }
        const models = opts.models ? opts.models.split(',').map((s) => s.trim()).filter(Boolean) : suite.models;
        if (!models.length) throw new SuiteError('no models: name them in the suite or with --models');
        const out = resolve(opts.out ?? join('eval-results', basename(suiteFile, extname(suiteFile))));
        const cache = new AnswerCache(opts.fresh ? null : join(out, 'answers.jsonl'));
        const gateway = await openGateway(opts, suite);
        try {
          await checkModels(gateway.url, gateway.key, [...models, ...(suite.tasks.some((t) => t.type === 'qa' && t.metric === 'judge') ? [suite.judge ?? suite.models[0]] : [])]);
          const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: `${suite.name} [{bar}] {value}/{total} | {percentage}% | ETA {eta_formatted}` }, cliProgress.Presets.shades_classic) : null;
          let lastTenth = 0;
          const { results, records } = await runSuite(suite, gatewayClient(gateway.url, gateway.key), {
            models, cache,
            onProgress: (done, total) => {
              if (bar) {
                if (done === 1) bar.start(total, 0);
                bar.update(done);
                return;
              }
              const tenth = Math.floor((done / total) * 10);
              if (tenth > lastTenth || done === total) process.stderr.write(`yumen eval: ${done}/${total} items\n`);
              lastTenth = tenth;
            },
          });
          bar?.stop();
          const files = writeReport(out, results, records);
          for (const [model, tasks] of Object.entries(results.models)) {
            for (const [task, r] of Object.entries(tasks)) {
              process.stdout.write(`${model}\t${task}\t${r.metric}\t${r.score === null ? '-' : r.score.toFixed(3)}\tn=${r.n}\terrors=${r.errors}${r.pass === undefined ? '' : r.pass ? '\tpass' : '\tFAIL'}\n`);
            }
          }
          process.stderr.write(`yumen eval: ${files.results}, ${files.report}\n`);
          const errors = records.filter((r) => r.error);
          if (errors.length) {
            process.stderr.write(`yumen eval: ${errors.length} item(s) failed, e.g. ${errors[0].model} ${errors[0].task} #${errors[0].item}: ${errors[0].error}\n`);
            process.exitCode = 1;
          }
        } finally {
          await gateway.close();
        }
      } catch (err) {
        fail(err, err instanceof SuiteError ? 2 : 1);
      }
    });
}
