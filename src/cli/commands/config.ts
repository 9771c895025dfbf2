import type { Command } from 'commander';
import { checkModelFiles } from '../../providers/index.ts';
import { fail, loadValidatedConfig, withConfigOption } from '../config-option.ts';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('inspect the configuration / 检查配置');
  withConfigOption(config.command('check'))
    .description('validate yumen.yaml and the environment; exit 0 when valid, 2 with every problem listed otherwise')
    .action(async (opts: { config?: string }) => {
      try {
        const cfg = loadValidatedConfig(opts.config);
        const fileProblems = await checkModelFiles(cfg.models);
        if (fileProblems.length) {
          process.stderr.write(`yumen: configuration problems:\n  - ${fileProblems.join('\n  - ')}\n`);
          process.exitCode = 2;
          return;
        }
        process.stdout.write(`ok: ${cfg.source ?? 'built-in defaults'} — ${cfg.models.length} model(s), storage ${cfg.storage.url.replace(/\/\/[^@]*@/, '//***@')}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
