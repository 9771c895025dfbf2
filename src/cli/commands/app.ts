import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createAppService, promptVariables } from '../../apps/index.ts';
import { knowledgeFromConfig } from '../../knowledge/index.ts';
import { createModelRegistry } from '../../providers/index.ts';
import { createAppRepository, createStoredModelRepository, createTenantRepository } from '../../store/index.ts';
import { runWithStore, withConfigOption } from '../config-option.ts';

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const collect = (v: string, prev: string[] = []) => [...prev, v];

interface CreateOptions {
  config?: string; tenant: string; name: string; model: string; prompt?: string; promptFile?: string; description?: string;
  kb?: string[]; share?: string[]; welcome?: string; question?: string[]; var?: string[];
}

export function registerAppCommand(program: Command): void {
  const app = program.command('app').description('business-scenario apps, model "app:<slug>" / 业务场景应用');

  withConfigOption(app.command('create <slug>'))
    .description('create an app of a department: model, system prompt with {{variables}}, knowledge bases, sharing / 创建应用')
    .requiredOption('-t, --tenant <name>', 'owning department')
    .requiredOption('-n, --name <text>', 'display name')
    .requiredOption('-m, --model <model>', 'a model or pool name, or "auto"')
    .option('-p, --prompt <text>', 'system prompt (may use {{variables}})')
    .option('--prompt-file <file>', 'read the system prompt from a file')
    .option('-d, --description <text>', 'description')
    .option('--kb <names>', 'knowledge bases, comma-separated (repeatable)', list)
    .option('--share <departments>', 'departments (names) whose keys may use it too, comma-separated (repeatable)', list)
    .option('--welcome <text>', 'welcome text')
    .option('--question <text>', 'a suggested question (repeatable)', collect)
    .option('--var <name=value>', 'default value of a {{variable}} (repeatable)', collect)
    .action(async (slug: string, opts: CreateOptions) => {
      await runWithStore(opts.config, async (store, config) => {
        if (opts.prompt === undefined && opts.promptFile === undefined) throw new Error('give the system prompt with --prompt or --prompt-file');
        const systemPrompt = opts.promptFile ? readFileSync(opts.promptFile, 'utf8') : opts.prompt!;
        const tenants = createTenantRepository(store.db);
        const owner = await tenants.ensure(opts.tenant);
        const sharedWith: string[] = [];
        for (const name of opts.share ?? []) {
          const t = await tenants.findByName(name);
          if (!t) throw new Error(`--share: no department named "${name}"`);
          sharedWith.push(t.id);
        }
        const variables: Record<string, string> = {};
        for (const v of opts.var ?? []) {
          const i = v.indexOf('=');
          if (i < 1) throw new Error(`--var: expected name=value, got "${v}"`);
          variables[v.slice(0, i)] = v.slice(i + 1);
        }
        const registry = createModelRegistry(config.models, { dataDir: config.data_dir });
        const knowledge = await knowledgeFromConfig(config, store, registry);
        try {
          const stored = new Set((await createStoredModelRepository(store.db).list()).map((m) => m.name));
          const service = createAppService({
            repo: createAppRepository(store.db),
            modelExists: (name) => config.models.some((m) => m.name === name) || stored.has(name),
            readableKnowledgeBases: async (tenantId) => new Set((await knowledge.listBases({ tenantId })).map((b) => b.name)),
            departmentExists: async (id) => (await tenants.findById(id)) !== undefined,
          });
          const created = await service.create({
            slug, tenantId: owner.id, name: opts.name, description: opts.description ?? null, model: opts.model, systemPrompt,
            knowledgeBases: opts.kb ?? [], variables, welcome: opts.welcome ?? null, suggestedQuestions: opts.question ?? [], sharedWith, createdBy: null,
          });
          const vars = promptVariables(created.systemPrompt);
          process.stdout.write(`created app:${created.slug} (department ${opts.tenant}, model ${created.model}${vars.length ? `, variables ${vars.join(', ')}` : ''})\n`);
        } finally {
          await knowledge.close();
          await registry.close();
        }
      });
    });

  withConfigOption(app.command('list'))
    .description('list apps / 列出应用')
    .option('-t, --tenant <name>', 'only apps of this department (and those shared with it)')
    .option('-f, --format <format>', 'text | json', 'text')
    .action(async (opts: { config?: string; tenant?: string; format: string }) => {
      await runWithStore(opts.config, async (store) => {
        const tenants = createTenantRepository(store.db);
        let ids: string[] | undefined;
        if (opts.tenant) {
          const t = await tenants.findByName(opts.tenant);
          if (!t) throw new Error(`--tenant: no department named "${opts.tenant}"`);
          ids = [t.id];
        }
        const apps = await createAppRepository(store.db).list({ tenantIds: ids, includeShared: true });
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify(apps)}\n`);
          return;
        }
        for (const a of apps) {
          const owner = (await tenants.findById(a.tenantId))?.name ?? a.tenantId;
          process.stdout.write(`app:${a.slug}\t${a.name}\t${owner}\t${a.model}\t${a.knowledgeBases.join(',') || '-'}\t${a.sharedWith.length} share(s)\n`);
        }
      });
    });

  withConfigOption(app.command('rm <slug>'))
    .description('delete an app / 删除应用')
    .action(async (slug: string, opts: { config?: string }) => {
      await runWithStore(opts.config, async (store) => {
        if (!(await createAppRepository(store.db).delete(slug))) throw new Error(`no app "${slug}"`);
        process.stdout.write(`deleted app:${slug}\n`);
      });
    });
}
