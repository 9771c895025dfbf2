/** The audit trail: an SM3 hash chain of records, its head, its anchors, and optional stored conversations. */

export interface AuditRecordsTable {
  /** Position in the chain, 1, 2, 3, … without gaps. */
  seq: number;
  time: number;
  request_id: string;
  actor: string | null;
  tenant_id: string;
  action: string;
  model: string | null;
  zone: string | null;
  level: string;
  /** Canonical JSON object: counts by finding type, never values. */
  findings: string;
  decision: string;
  status: number;
  error_code: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  latency_ms: number;
  prev_hash: string;
  hash: string;
}

/** One row (`id = 'head'`): the last appended seq and hash. Writers lock it to append in order. */
export interface AuditHeadTable {
  id: string;
  seq: number;
  hash: string;
}

/** Where the chain resumes after pruning (`kind = 'prune'`): record `seq` had hash `hash`. */
export interface AuditAnchorsTable {
  seq: number;
  hash: string;
  time: number;
  kind: string;
}

/** Conversations kept for the data flywheel, only when enabled for the tenant; already redacted. */
export interface ConversationsTable {
  id: string;
  created_at: number;
  tenant_id: string;
  key_id: string | null;
  model: string;
  zone: string | null;
  /** JSON array of the (redacted) request messages. */
  messages: string;
  /** The (redacted) assistant reply. */
  completion: string | null;
  /** The app (`app:<slug>`) the call went through, if any (migration 0006). */
  app: string | null;
}

export interface AuditTables {
  audit_records: AuditRecordsTable;
  audit_head: AuditHeadTable;
  audit_anchors: AuditAnchorsTable;
  conversations: ConversationsTable;
}
