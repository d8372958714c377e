/**
 * The tables as Kysely sees them. Column types are portable between SQLite and PostgreSQL:
 * text ids, RFC 3339 text timestamps, JSON as text.
 */

export interface AccountsTable {
  /** `acct_…` */
  id: string;
  /** Unique. */
  name: string;
  created_at: string;
}

export interface CredentialsTable {
  /** `cr_…` */
  id: string;
  account_id: string;
  description: string;
  metadata: string;
  /** JSON array of ACL rules, e.g. `["bind:*.example.com"]`. */
  acl: string;
  /** SHA-256 hex of the token's secret. */
  token_hash: string;
  created_at: string;
}

export interface ApiKeysTable {
  /** `ak_…` */
  id: string;
  account_id: string;
  description: string;
  metadata: string;
  /** SHA-256 hex of the token's secret. */
  token_hash: string;
  created_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  accounts: AccountsTable;
  credentials: CredentialsTable;
  api_keys: ApiKeysTable;
  settings: SettingsTable;
}
