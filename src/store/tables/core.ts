
export interface TenantsTable {
  id: string;
  name: string;
  parent_id: string | null;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string | null;
  prefix: string;
  key_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  allowed_models: string | null;
  allowed_ips: string | null;
  last_used_at: number | null;
}

export interface UsageRecordsTable {
  id: string;
  created_at: number;
  tenant_id: string;
  key_id: string | null;
  endpoint: string;
  model: string;
  backend: string | null;
  zone: string | null;
  stream: number;
  status: number;
  error_code: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  latency_ms: number;
  level: string | null;
  decision: string | null;
  redactions: number;
  findings: string | null;
}

export interface CoreTables {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  usage_records: UsageRecordsTable;
}
