/**
 * Everything that depends on the database engine: reading the database URL, opening the
 * Kysely dialect, and recognising constraint errors. SQLite today; PostgreSQL joins here.
 */
import SqliteDatabase from 'better-sqlite3';
import { SqliteDialect, type Dialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PorticoError } from '../errors/catalogue.ts';

/** Where the store lives. */
export type DatabaseTarget = { kind: 'sqlite'; path: string };

/** Milliseconds SQLite waits for another connection's write lock before failing. */
const BUSY_TIMEOUT_MS = 5000;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Reads the database URL: none means `<dataDir>/portico.db`; `sqlite:<path>`, `sqlite://<path>`
 * or a plain path mean that SQLite file (relative to the working directory; `:memory:` works).
 */
export function parseDatabaseUrl(dataDir: string, url?: string): DatabaseTarget {
  if (!url) return { kind: 'sqlite', path: join(dataDir, 'portico.db') };
  if (/^sqlite:/i.test(url)) return { kind: 'sqlite', path: url.replace(/^sqlite:(\/\/)?/i, '') };
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    throw new PorticoError('ERR_CONFIG_INVALID', 'PostgreSQL support arrives with the control-plane issue');
  }
  if (scheme) throw new PorticoError('ERR_CONFIG_INVALID', `unsupported database URL scheme ${scheme}:`);
  return { kind: 'sqlite', path: url };
}

/** Opens the engine connection: WAL journal, 5 s busy timeout, foreign keys enforced. */
export function openDialect(target: DatabaseTarget): Dialect {
  try {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    const database = new SqliteDatabase(target.path);
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    return new SqliteDialect({ database });
  } catch (err) {
    throw new PorticoError('ERR_STORE_OPEN', target.path, { cause: err });
  }
}

/** Which constraint an insert or update broke, if the error is a constraint violation. */
export function constraintViolation(err: unknown): 'unique' | 'foreign_key' | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') return 'foreign_key';
  return undefined;
}
