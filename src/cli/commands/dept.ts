import type { Command } from 'commander';
import { createDepartmentRepository } from '../../store/index.ts';
import { runWithStore, withConfigOption } from '../config-option.ts';

export function registerDeptCommand(program: Command): void {
  const dept = program.command('dept').description('manage departments (tenants) / 管理部门（租户）');
  withConfigOption(dept.command('create <name>'))
    .description('create a department; prints its id')
    .option('-p, --parent <name>', 'parent department name')
    .option('-d, --display-name <text>', 'display name')
    .action(async (name: string, opts: { config?: string; parent?: string; displayName?: string }) => {
      await runWithStore(opts.config, async (store) => {
        const repo = createDepartmentRepository(store.db);
        let parentId: string | null = null;
        if (opts.parent) {
          const parent = await repo.findByName(opts.parent);
          if (!parent) throw new Error(`--parent: no department named "${opts.parent}"`);
          parentId = parent.id;
        }
        const d = await repo.create({ name, parentId, displayName: opts.displayName ?? null });
        process.stdout.write(`${d.id}\n`);
      });
    });
  withConfigOption(dept.command('list'))
    .description('list departments as a tree')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { config?: string; format: string }) => {
      await runWithStore(opts.config, async (store) => {
        const all = await createDepartmentRepository(store.db).list();
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify(all.map((d) => ({ id: d.id, name: d.name, display_name: d.displayName, parent_id: d.parentId })))}\n`);
          return;
        }
        const print = (parentId: string | null, depth: number) => {
          for (const d of all.filter((x) => x.parentId === parentId)) {
            process.stdout.write(`${'  '.repeat(depth)}${d.name}${d.displayName ? ` (${d.displayName})` : ''}  ${d.id}\n`);
            print(d.id, depth + 1);
          }
        };
        print(null, 0);
      });
    });
}
