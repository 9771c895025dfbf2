/** Tables of departments' people and administration: users, roles, sessions, models, dictionaries. */

export interface UsersTable {
  id: string;
  username: string;
  display_name: string | null;
  /** `scrypt$N$r$p$salt$hash`; null for accounts that sign in only through OIDC. */
  password_hash: string | null;
  /** OIDC `iss|sub` when the account is linked to an identity provider. */
  oidc_subject: string | null;
  disabled: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

export interface UserRolesTable {
  id: string;
  user_id: string;
  /** sysadmin | secadmin | auditor | dept_admin | member */
  role: string;
  /** Department the role applies to (dept_admin, member); null for the organisation-wide roles. */
  tenant_id: string | null;
  created_at: number;
}

export interface SessionsTable {
  /** SM3 digest of the random session id; the id itself lives only in the cookie. */
  id_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface LoginThrottleTable {
  /** Lower-cased user name, whether or not such an account exists. */
  username: string;
  failures: number;
  window_start: number;
  locked_until: number | null;
}

export interface StoredModelsTable {
  id: string;
  name: string;
  provider: string;
  zone: string;
  /** The model's configuration as JSON, without `api_key`. */
  config: string;
  /** SM4 ciphertext of the upstream API key (see governance/secret-box.ts); null when there is none. */
  api_key_enc: string | null;
  created_at: number;
  updated_at: number;
}

export interface DictionariesTable {
  id: string;
  tenant_id: string;
  name: string;
  /** JSON array of `{ term, label }`. */
  terms: string;
  created_at: number;
  updated_at: number;
}

export interface GovernanceTables {
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  stored_models: StoredModelsTable;
  dictionaries: DictionariesTable;
}

/**
 * Columns the governance migration (0002) adds to core tables, merged into their interfaces.
 * Optional so rows written before 0002 (and by code that does not know them) still type-check.
 */
declare module './core.ts' {
  interface TenantsTable {
    display_name?: string | null;
    /** Department policy JSON (opaque here; validated by the policy module). */
    policy?: string | null;
    policy_updated_at?: number | null;
  }
  interface ApiKeysTable {
    /** The user who created the key through the admin API. */
    created_by?: string | null;
  }
}
