import type { KbAction } from './types.ts';

/** Who asks: a department (the API key's tenant), or null for the local operator running the CLI on the server. */
export interface KbCaller { tenantId: string }

export interface KbAccessInfo {
  tenantId: string;
  /** Departments this base was explicitly shared with (read only). */
  sharedWith: readonly string[];
}

/**
 * The one authorization rule for knowledge bases: the owning department reads and writes, a department it was
 * shared with reads, nobody else sees it. The local CLI operator (null) may do everything.
 * Kept in one function so user roles (src/governance) can be considered here later.
 */
export function authorizeKb(principal: KbCaller | null, kb: KbAccessInfo, action: KbAction): boolean {
  if (principal === null) return true;
  if (principal.tenantId === kb.tenantId) return true;
  return action === 'read' && kb.sharedWith.includes(principal.tenantId);
}
