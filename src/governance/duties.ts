import type { RoleAssignment } from '../store/index.ts';
import { yumenError } from '../util/errors.ts';
import { ORGANISATION_ROLES } from './access.ts';

/**
 * 三员分立 through the admin API. The three organisation roles (系统管理员 sysadmin, 安全管理员 secadmin,
 * 安全审计员 auditor) are each a check on the other two, so none of them may make, unmake or take over
 * another: through the API nobody grants or revokes one of these roles, and nobody changes an account that
 * holds one (password reset, disabling, deletion, roles) — its holder changes only their own password.
 * Such acts are done on the host with `yumen user …` (host access is already outside every in-band role,
 * and each act is audited as `host.user.*`), or once by the first-run set-up with its one-time token.
 * See docs/governance.md for why no in-band role was chosen instead.
 */
export function isPrivileged(roles: readonly RoleAssignment[]): boolean {
  return roles.some((r) => ORGANISATION_ROLES.includes(r.role));
}

/** Throws 403 `separation_of_duties` when roles granted through the API include an organisation role. */
export function checkApiGrant(roles: readonly RoleAssignment[]): void {
  if (!isPrivileged(roles)) return;
  throw yumenError('separation_of_duties', 'The sysadmin, secadmin and auditor roles are granted and revoked only on the host (yumen user create|roles). / 三员角色只能在主机上通过 yumen user 命令授予或撤销。', { param: 'roles' });
}

/** Throws 403 `separation_of_duties` when an API change targets an account holding an organisation role. */
export function checkApiAccountChange(targetRoles: readonly RoleAssignment[]): void {
  if (!isPrivileged(targetRoles)) return;
  throw yumenError('separation_of_duties', 'Accounts holding sysadmin, secadmin or auditor are changed only on the host (yumen user passwd|disable|roles); their holders may change their own password. / 三员账号只能在主机上管理，本人可修改自己的密码。');
}
