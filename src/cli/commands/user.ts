import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { YumenConfig } from '../../config/index.ts';
import { auditLogFromConfig } from '../../audit/index.ts';
import { checkPasswordStrength, createAccount, governanceSettings, hashPassword } from '../../governance/index.ts';
import { createDepartmentRepository, createSessionRepository, createUserRepository, ROLE_NAMES, type RoleName, type Store } from '../../store/index.ts';
import { runWithStore, withConfigOption } from '../config-option.ts';

/**
 * Account changes made on the host are audited like the admin API's, as `host.user.*` with the operating-system
 * account as the actor: the host is where the three organisation roles are granted (三员分立, docs/governance.md).
 */
async function recordHostAct(store: Store, config: YumenConfig, action: string, tenantId: string | null): Promise<void> {
  const audit = auditLogFromConfig(store.db, config);
  let who = 'unknown';
  try { who = userInfo().username; } catch { /* no passwd entry */ }
  await audit.record({
    requestId: randomUUID(), time: Date.now(), actor: `host:${who}`, tenantId: tenantId ?? '', action, model: null, zone: null, level: 'public',
    findings: {}, decision: 'allow', status: 200, errorCode: null, promptTokens: 0, completionTokens: 0, latencyMs: 0,
  });
  await audit.close();
}

async function departmentId(store: Store, name: string | undefined): Promise<string | null> {
  if (!name) return null;
  const d = await createDepartmentRepository(store.db).findByName(name);
  if (!d) throw new Error(`--department: no department named "${name}"`);
  return d.id;
}

function roleOption(role: string): RoleName {
  if (!ROLE_NAMES.includes(role as RoleName)) throw new Error(`--role: expected one of ${ROLE_NAMES.join(', ')}, got "${role}"`);
  return role as RoleName;
}

/** The password: the first line of stdin with --password-stdin, else asked twice on the terminal without echo. */
async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.split(/\r?\n/)[0];
  }
  const ask = (q: string) => new Promise<string>((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => { if (s.startsWith(q)) process.stderr.write(q); };
    rl.question(q, (answer) => { rl.close(); process.stderr.write('\n'); resolve(answer); });
  });
  const first = await ask('Password / 密码: ');
  if ((await ask('Again / 再次输入: ')) !== first) throw new Error('the passwords differ / 两次输入的密码不一致');
  return first;
}

async function findUser(store: Store, name: string) {
  const user = await createUserRepository(store.db).findByUsername(name);
  if (!user) throw new Error(`no user named "${name}"`);
  return user;
}

export function registerUserCommand(program: Command): void {
  const user = program.command('user').description('manage console accounts and roles (三员分立) / 管理账号与角色');

  withConfigOption(user.command('create <username>'))
    .description('create a local account (e.g. the first sysadmin); prints its id')
    .requiredOption('-r, --role <role>', `role: ${ROLE_NAMES.join(' | ')}`)
    .option('-d, --department <name>', 'department, for dept_admin and member')
    .option('--display-name <text>', 'display name')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (username: string, opts: { config?: string; role: string; department?: string; displayName?: string; passwordStdin?: boolean }) => {
      await runWithStore(opts.config, async (store, config) => {
        const role = roleOption(opts.role);
        const tenantId = await departmentId(store, opts.department);
        const password = await readPassword(!!opts.passwordStdin);
        const accounts = { hashPassword: (pw: string) => { checkPasswordStrength(pw); return hashPassword(pw, governanceSettings(config).password.scryptN); } };
        const u = await createAccount(store.db, accounts, { username, password, displayName: opts.displayName ?? null, roles: [{ role, tenantId }] }, 'host');
        await recordHostAct(store, config, 'host.user.create', tenantId);
        process.stdout.write(`${u.id}\n`);
      });
    });

  withConfigOption(user.command('list'))
    .description('list accounts with their roles')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { config?: string; format: string }) => {
      await runWithStore(opts.config, async (store) => {
        const users = createUserRepository(store.db);
        const depts = new Map((await createDepartmentRepository(store.db).list()).map((d) => [d.id, d.name]));
        const roles = await users.allRoles();
        const rows = (await users.list()).map((u) => ({
          id: u.id, username: u.username, disabled: u.disabled === 1,
          roles: roles.filter((r) => r.userId === u.id).map((r) => (r.tenantId ? `${r.role}@${depts.get(r.tenantId) ?? r.tenantId}` : r.role)),
        }));
        if (opts.format === 'json') process.stdout.write(`${JSON.stringify(rows)}\n`);
        else for (const r of rows) process.stdout.write(`${r.username}\t${r.roles.join(',') || '-'}${r.disabled ? '\t(disabled)' : ''}\t${r.id}\n`);
      });
    });

  withConfigOption(user.command('passwd <username>'))
    .description('set an account\'s password, end its sessions and lift any lock-out')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (username: string, opts: { config?: string; passwordStdin?: boolean }) => {
      await runWithStore(opts.config, async (store, config) => {
        const u = await findUser(store, username);
        const password = await readPassword(!!opts.passwordStdin);
        checkPasswordStrength(password);
        const users = createUserRepository(store.db);
        await users.update(u.id, { passwordHash: await hashPassword(password, governanceSettings(config).password.scryptN) });
        await users.clearFailures(username);
        await createSessionRepository(store.db).deleteForUser(u.id);
        await recordHostAct(store, config, 'host.user.passwd', null);
      });
    });

  withConfigOption(user.command('roles <username>'))
    .description('replace an account\'s roles (the only way to grant or revoke sysadmin, secadmin or auditor); ends its sessions')
    .requiredOption('-r, --role <role>', `role: ${ROLE_NAMES.join(' | ')}`)
    .option('-d, --department <name>', 'department, for dept_admin and member')
    .action(async (username: string, opts: { config?: string; role: string; department?: string }) => {
      await runWithStore(opts.config, async (store, config) => {
        const u = await findUser(store, username);
        const role = roleOption(opts.role);
        const tenantId = await departmentId(store, opts.department);
        await createUserRepository(store.db).setRoles(u.id, [{ role, tenantId }]);
        await createSessionRepository(store.db).deleteForUser(u.id);
        await recordHostAct(store, config, 'host.user.roles', tenantId);
      });
    });

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    withConfigOption(user.command(`${name} <username>`))
      .description(disabled ? 'disable an account and end its sessions' : 'enable a disabled account')
      .action(async (username: string, opts: { config?: string }) => {
        await runWithStore(opts.config, async (store, config) => {
          const u = await findUser(store, username);
          await createUserRepository(store.db).update(u.id, { disabled });
          if (disabled) await createSessionRepository(store.db).deleteForUser(u.id);
          await recordHostAct(store, config, `host.user.${name}`, null);
        });
      });
  }

  withConfigOption(user.command('unlock <username>'))
    .description('lift a login lock-out')
    .action(async (username: string, opts: { config?: string }) => {
      await runWithStore(opts.config, async (store) => {
        await createUserRepository(store.db).clearFailures(username);
      });
    });
}
