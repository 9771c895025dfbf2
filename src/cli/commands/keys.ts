import type { Command } from 'commander';
import { createApiKeyRepository, createKeyAdminRepository, createTenantRepository } from '../../store/index.ts';
import { runWithStore, withConfigOption } from '../config-option.ts';

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
      await runWithStore(opts.config, async (store) => {
        const tenant = await createTenantRepository(store.db).ensure(opts.tenant);
        const { secret } = await createApiKeyRepository(store.db).create({
          tenantId: tenant.id,
          name: opts.name ?? null,
          allowedModels: opts.models ? opts.models.split(',').map((s) => s.trim()).filter(Boolean) : null,
          expiresAt: opts.expiresDays ? Date.now() + opts.expiresDays * 86_400_000 : null,
        });
        process.stdout.write(`${secret}\n`);
      });
    });

  withConfigOption(keys.command('list'))
    .description('list API keys (never their secrets)')
    .option('-t, --tenant <name>', 'only this department (tenant)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { config?: string; tenant?: string; format: string }) => {
      await runWithStore(opts.config, async (store) => {
        const tenants = await createTenantRepository(store.db).list();
        const names = new Map(tenants.map((t) => [t.id, t.name]));
        let tenantIds: string[] | undefined;
        if (opts.tenant) {
          const t = tenants.find((x) => x.name === opts.tenant);
          if (!t) throw new Error(`--tenant: no department named "${opts.tenant}"`);
          tenantIds = [t.id];
        }
        const rows = (await createKeyAdminRepository(store.db).list({ tenantIds })).map((k) => ({
          id: k.id, prefix: k.prefix, tenant: names.get(k.tenant_id) ?? k.tenant_id, name: k.name,
          status: k.revoked_at ? 'revoked' : k.expires_at !== null && k.expires_at <= Date.now() ? 'expired' : 'active',
          created_at: new Date(k.created_at).toISOString(), expires_at: k.expires_at ? new Date(k.expires_at).toISOString() : null,
          last_used_at: k.last_used_at ? new Date(k.last_used_at).toISOString() : null,
        }));
        if (opts.format === 'json') process.stdout.write(`${JSON.stringify(rows)}\n`);
        else for (const r of rows) process.stdout.write(`${r.id}\t${r.prefix}…\t${r.tenant}\t${r.status}\t${r.name ?? ''}\t${r.last_used_at ? `used ${r.last_used_at}` : 'never used'}\n`);
      });
    });

  withConfigOption(keys.command('revoke <key>'))
    .description('revoke an API key by id or prefix (e.g. ym-AbCd); a running server refuses it within 5 s')
    .action(async (ref: string, opts: { config?: string }) => {
      await runWithStore(opts.config, async (store) => {
        const found = await createKeyAdminRepository(store.db).findByPrefixOrId(ref);
        if (found.length === 0) throw new Error(`no key with id or prefix "${ref}"`);
        if (found.length > 1) throw new Error(`"${ref}" matches ${found.length} keys; use the id`);
        await createApiKeyRepository(store.db).revoke(found[0].id);
      });
    });
}
