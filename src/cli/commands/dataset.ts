import type { Command } from 'commander';
import { buildDatasetExport, exportRequest, writeDatasetFolder } from '../../flywheel/index.ts';
import { TenantGuards } from '../../gateway/index.ts';
import { getTenantPolicyChain, listDictionaryTerms } from '../../governance/index.ts';
import { buildPolicySet } from '../../policy/index.ts';
import { createFeedbackRepository, createTenantRepository } from '../../store/index.ts';
import { runWithStore, withConfigOption } from '../config-option.ts';

interface ExportOptions { config?: string; tenant: string; format: string; out: string; minRating?: string; since?: string; app?: string; name?: string }

export function registerDatasetCommand(program: Command): void {
  const dataset = program.command('dataset').description('training datasets, the data flywheel / 训练数据（数据飞轮）');

  withConfigOption(dataset.command('export'))
    .description('curated exchanges of a department as LLaMA-Factory files: <name>.json, <name>_dpo.json (corrections), dataset_info.json; personal data replaced by synthetic values / 导出训练数据集')
    .requiredOption('-t, --tenant <name>', 'department')
    .requiredOption('-f, --format <format>', 'alpaca | sharegpt')
    .requiredOption('-o, --out <dir>', 'output folder (created if needed)')
    .option('--min-rating <n>', 'lowest score kept: -1 | 0 | 1 (unrated = 0, corrected = 1; -1 without correction is never kept)', '0')
    .option('--since <date>', 'only exchanges captured on or after YYYY-MM-DD (UTC)')
    .option('--app <slug>', 'only exchanges of this app')
    .option('--name <name>', 'dataset name (default yumen_<app> or yumen_chat)')
    .action(async (opts: ExportOptions) => {
      await runWithStore(opts.config, async (store, config) => {
        const tenant = await createTenantRepository(store.db).findByName(opts.tenant);
        if (!tenant) throw new Error(`--tenant: no department named "${opts.tenant}"`);
        const req = exportRequest({ tenantId: tenant.id, format: opts.format, minRating: opts.minRating, since: opts.since, app: opts.app, name: opts.name });
        // The department's own guard (policy layers and dictionaries), as the server would use it.
        const guards = new TenantGuards(buildPolicySet(config.policy, config.models).set, {
          source: { policyChain: (id) => getTenantPolicyChain(store.db, id), dictionaryTerms: (id) => listDictionaryTerms(store.db, id) },
        });
        const { guard } = await guards.for({ tenantId: tenant.id, tenantName: tenant.name });
        const exp = await buildDatasetExport(createFeedbackRepository(store.db), guard, req);
        const files = await writeDatasetFolder(opts.out, exp);
        const s = exp.stats;
        process.stderr.write(`${s.exchanges} exchanges: ${s.kept} kept (${s.corrected} corrected, ${s.pairs} preference pairs), ${s.rejected} rejected, ${s.belowRating} below --min-rating, ${s.duplicates} duplicates, ${s.unsupported} not representable\n`);
        for (const f of files) process.stdout.write(`${f}\n`);
      });
    });
}
