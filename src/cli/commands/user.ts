import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { checkPasswordStrength, governanceSettings, hashPassword } from '../../governance/index.ts';
import { createDepartmentRepository, createSessionRepository, createUserRepository, ROLE_NAMES, type RoleName, type Store } from '../../store/index.ts';
import { runWithStore, withConfigOption } from '../config-option.ts';

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
        if (!ROLE_NAMES.includes(opts.role as RoleName)) throw new Error(`--role: expected one of ${ROLE_NAMES.join(', ')}, got "${opts.role}"`);
        let tenantId: string | null = null;
        if (opts.department) {
          const d = await createDepartmentRepository(store.db).findByName(opts.department);
          if (!d) throw new Error(`--department: no department named "${opts.department}"`);
          tenantId = d.id;
        }
        const password = await readPassword(!!opts.passwordStdin);
        checkPasswordStrength(password);
        const passwordHash = await hashPassword(password, governanceSettings(config).password.scryptN);
        const u = await createUserRepository(store.db).create({ username, displayName: opts.displayName ?? null, passwordHash, roles: [{ role: opts.role as RoleName, tenantId }] });
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
      });
    });

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    withConfigOption(user.command(`${name} <username>`))
      .description(disabled ? 'disable an account and end its sessions' : 'enable a disabled account')
      .action(async (username: string, opts: { config?: string }) => {
        await runWithStore(opts.config, async (store) => {
          const u = await findUser(store, username);
          await createUserRepository(store.db).update(u.id, { disabled });
          if (disabled) await createSessionRepository(store.db).deleteForUser(u.id);
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
