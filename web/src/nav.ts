import type { MessageKey } from './messages.ts';
import type { Me } from './api.ts';

export type PageId = 'overview' | 'chat' | 'keys' | 'models' | 'departments' | 'policies' | 'knowledge' | 'apps' | 'eval' | 'audit';

/**
 * Each role sees only its own console (三员分立): the system administrator runs models, departments,
 * accounts and keys; the security administrator policies and dictionaries; the auditor the audit trail;
 * department people chat, manage their keys and knowledge bases.
 */
const BY_ROLE: Record<string, PageId[]> = {
  sysadmin: ['overview', 'models', 'departments', 'keys', 'apps', 'eval'],
  secadmin: ['overview', 'policies'],
  auditor: ['overview', 'audit'],
  dept_admin: ['overview', 'chat', 'departments', 'keys', 'knowledge', 'apps', 'eval'],
  member: ['chat', 'keys', 'knowledge', 'apps'],
};
const ORDER: PageId[] = ['overview', 'chat', 'models', 'departments', 'keys', 'policies', 'knowledge', 'apps', 'eval', 'audit'];

export function pagesFor(me: Me): PageId[] {
  const allowed = new Set(me.roles.flatMap((r) => BY_ROLE[r.role] ?? []));
  return ORDER.filter((p) => allowed.has(p));
}

export const PAGE_TITLE: Record<PageId, MessageKey> = {
  overview: 'nav.overview', chat: 'nav.chat', keys: 'nav.keys', models: 'nav.models', departments: 'nav.departments',
  policies: 'nav.policies', knowledge: 'nav.knowledge', apps: 'nav.apps', eval: 'nav.eval', audit: 'nav.audit',
};

export const hasRole = (me: Me, role: string) => me.roles.some((r) => r.role === role);
/** Departments where the user holds a department role (where they may chat and own keys). */
export const ownDepartments = (me: Me) => [...new Set(me.roles.filter((r) => r.department_id).map((r) => r.department_id!))];
