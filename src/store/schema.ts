/**
 * The tables as Kysely sees them. Column types are portable between SQLite and PostgreSQL:
 * text ids, RFC 3339 text timestamps, JSON as text.
 */
import type { Generated } from 'kysely';

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

export interface ResourcesTable {
  /** `<prefix>_…`; the prefix names the kind (edghts_, bkdtg_, rd_, …). */
  id: string;
  account_id: string;
  /** The resource kind, e.g. `https_edge`, `tunnel_group_backend`, `reserved_domain`. */
  kind: string;
  /** Globally unique name within the kind (a reserved domain, a reserved address), else null. */
  key: string | null;
  /** The resource's fields as JSON. */
  doc: string;
  created_at: string;
}

/** Limits the operator set for an account; NULL means the edge's default. */
export interface AccountLimitsTable {
  account_id: string;
  max_reserved_domains: number | null;
  max_reserved_addrs: number | null;
  max_tunnels_per_session: number | null;
  max_sessions: number | null;
  max_api_requests_per_minute: number | null;
}

/** A key used once until it expires (src/store/used-once.ts). */
export interface UsedOnceTable {
  key: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
}

export interface Database {
  accounts: AccountsTable;
  credentials: CredentialsTable;
  api_keys: ApiKeysTable;
  settings: SettingsTable;
  resources: ResourcesTable;
  account_limits: AccountLimitsTable;
  used_once: UsedOnceTable;
  store_changes: StoreChangesTable;
}

/** A committed change, for other processes sharing the database (src/store/changes.ts). */
export interface StoreChangesTable {
  /** Ascending; the database assigns it. */
  seq: Generated<number>;
  /** The writing process (StoreChanges.origin). */
  origin: string;
  /** `created`, `updated` or `deleted`. */
  op: string;
  /** A resource kind, `account` or `credential`. */
  kind: string;
  id: string;
  account_id: string;
  /** Milliseconds since the epoch. */
  at: number;
}
