import type { CoreTables } from './tables/core.ts';
import type { GovernanceTables } from './tables/governance.ts';
import type { AuditTables } from './tables/audit.ts';
import type { KnowledgeTables } from './tables/knowledge.ts';
import type { AppTables } from './tables/apps.ts';
import type { ClusterTables } from './tables/cluster.ts';

/** The whole database as Kysely sees it: one interface per area, each in tables/. */
export interface Database extends CoreTables, GovernanceTables, AuditTables, KnowledgeTables, AppTables, ClusterTables {}
