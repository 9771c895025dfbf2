import type { Command } from 'commander';
import { createApiKeyRepository, createTenantRepository, openStore } from '../../store/index.ts';
import { fail, loadValidatedConfig, withConfigOption } from '../config-option.ts';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage API keys / 管理 API 密钥');
  withConfigOption(keys.command('create'))
    .description('create an API key for a department (tenant), creating the tenant if needed; prints the key alone on stdout')
    .requiredOption('-t, --tenant <name>', 'department (tenant) name')
    .option('-n, --name <label>', 'a label for the key')
    .option('--models <names>', 'comma-separated models this key may use (default: all)')
    .option('--expires-days <days>', 'days until the key expires', (v) => {
      const n = Number(v);
      if (!(n > 0)) throw new Error(`--expires-days: expected a positive number, got ${v}`);
      return n;
    })
    .action(async (opts: { config?: string; tenant: string; name?: string; models?: string; expiresDays?: number }) => {
      try {
        const config = loadValidatedConfig(opts.config);
        const store = await openStore(config.storage.url);
        try {
          const tenant = await createTenantRepository(store.db).ensure(opts.tenant);
          const { secret } = await createApiKeyRepository(store.db).create({
            tenantId: tenant.id,
            name: opts.name ?? null,
            allowedModels: opts.models ? opts.models.split(',').map((s) => s.trim()).filter(Boolean) : null,
            expiresAt: opts.expiresDays ? Date.now() + opts.expiresDays * 86_400_000 : null,
          });
          process.stdout.write(`${secret}\n`);
        } finally {
          await store.close();
        }
      } catch (err) {
        fail(err);
      }
    });
}
