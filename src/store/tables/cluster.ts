/** A counter per kind of admin change, bumped by the node that made it (see migration 0009). */
export interface ChangeVersionsTable {
  topic: string;
  version: number;
  updated_at: number;
}

export interface ClusterTables {
  change_versions: ChangeVersionsTable;
}
