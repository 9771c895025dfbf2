import type { Kysely } from 'kysely';
import { createDepartmentRepository, createDictionaryRepository, type Database, type ResolvedTerm } from '../store/index.ts';

/**
 * What the policy engine and the guard read from governance. Policies are opaque JSON here;
 * a department without its own policy inherits its nearest ancestor's.
 */
export function getTenantPolicy(db: Kysely<Database>, tenantId: string): Promise<{ policy: unknown; sourceTenantId: string } | null> {
  return createDepartmentRepository(db).getTenantPolicy(tenantId);
}

/** Policies from the root department down to this one, for engines that merge layers. */
export function getTenantPolicyChain(db: Kysely<Database>, tenantId: string): Promise<Array<{ tenantId: string; policy: unknown }>> {
  return createDepartmentRepository(db).getTenantPolicyChain(tenantId);
}

/** Custom terms of the department and of every department above it. */
export function listDictionaryTerms(db: Kysely<Database>, tenantId: string): Promise<ResolvedTerm[]> {
  return createDictionaryRepository(db).listDictionaryTerms(tenantId);
}
