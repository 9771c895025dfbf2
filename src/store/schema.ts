import type { CoreTables } from './tables/core.ts';

/** The whole database as Kysely sees it: one interface per area, each in tables/. */
export interface Database extends CoreTables {}
