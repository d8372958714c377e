/**
 * The store: typed repositories over one database. Open it once per process and pass it to
 * whatever needs it; `close()` when the process stops.
 */
import { Kysely } from 'kysely';
import { AccountLimitsRepository } from './account-limits.ts';
import { Accounts } from './accounts.ts';
import { ApiKeys } from './api-keys.ts';
import { StoreChanges } from './changes.ts';
import { Credentials } from './credentials.ts';
import { Resources } from './resources.ts';
import { describeTarget, openDialect, parseDatabaseUrl } from './dialect.ts';
import { migrate } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { Settings } from './settings.ts';
import { UsedOnce } from './used-once.ts';

export interface Store {
  db: Kysely<Database>;
  /** The database engine behind `db`. */
  engine: 'sqlite' | 'postgres';
  accounts: Accounts;
  /** What each account may take of the edge (reserved names, sessions, API rate). */
  accountLimits: AccountLimitsRepository;
  credentials: Credentials;
  apiKeys: ApiKeys;
  settings: Settings;
  /** Control-plane resources as documents. */
  resources: Resources;
  /** Announces every change to resources, accounts and credentials, this process's and (followed) others'. */
  changes: StoreChanges;
  /** Keys used once until they expire (SAML assertion ids). */
  usedOnce: UsedOnce;
  /** Closes the database connection. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** The edge data directory; the default SQLite file is `<dataDir>/portico.db`. */
  dataDir: string;
  /** Database URL: `sqlite:<path>` or a path (SQLite), or `postgres://user@host:port/db`. */
  url?: string;
}

/** Opens the database, creating it if needed, and runs pending migrations. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const target = parseDatabaseUrl(options.dataDir, options.url);
  const db = new Kysely<Database>({ dialect: openDialect(target) });
  try {
    await migrate(db, describeTarget(target));
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const changes = new StoreChanges(db);
  return {
    db,
    engine: target.kind,
    accounts: new Accounts(db, changes),
    accountLimits: new AccountLimitsRepository(db),
    credentials: new Credentials(db, changes),
    apiKeys: new ApiKeys(db),
    settings: new Settings(db),
    resources: new Resources(db, changes),
    changes,
    usedOnce: new UsedOnce(db),
    close: () => db.destroy(),
  };
}
