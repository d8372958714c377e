/**
 * Everything that depends on the database engine: reading the database URL, opening the
 * Kysely dialect, and recognising constraint errors. SQLite (better-sqlite3, sqlite-driver.ts) by default,
 * PostgreSQL (pg) when the URL says `postgres://`.
 */
import { PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { SqliteDatabase } from './sqlite-driver.ts';

/** Where the store lives. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Milliseconds SQLite waits for another connection's write lock before failing. */
const BUSY_TIMEOUT_MS = 5000;
/** Connections a process keeps open to PostgreSQL at most: the edge's queries are short. */
const PG_POOL_SIZE = 5;
/** Milliseconds to wait for a new PostgreSQL connection before the query fails. */
const PG_CONNECT_TIMEOUT_MS = 10_000;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Reads the database URL: none means `<dataDir>/portico.db`; `sqlite:<path>`, `sqlite://<path>`
 * or a plain path mean that SQLite file (relative to the working directory; `:memory:` works);
 * `postgres://user[:password]@host[:port]/database` (or `postgresql://`) means PostgreSQL.
 */
export function parseDatabaseUrl(dataDir: string, url?: string): DatabaseTarget {
  if (!url) return { kind: 'sqlite', path: join(dataDir, 'portico.db') };
  if (/^sqlite:/i.test(url)) return { kind: 'sqlite', path: url.replace(/^sqlite:(\/\/)?/i, '') };
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url };
  if (scheme)
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      `unsupported database URL scheme ${scheme}: use postgres:// or a SQLite path`,
    );
  return { kind: 'sqlite', path: url };
}

/** The target for messages and logs: a PostgreSQL URL without its password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return target.path;
  try {
    const url = new URL(target.url);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * Opens the engine connection. SQLite: WAL journal (other processes such as
 * `portico account` may use the file while the edge runs), 5 s busy timeout, foreign keys
 * enforced. PostgreSQL: a pool of at most 5 connections, opened lazily (a bad URL fails at
 * the first query, i.e. while migrating).
 */
export function openDialect(target: DatabaseTarget): Dialect {
  return target.kind === 'postgres' ? openPostgres(target.url) : openSqlite(target.path);
}

/** Mode of the SQLite file; SQLite gives its -wal and -shm files the same. */
const SQLITE_FILE_MODE = 0o600;

function openSqlite(path: string): Dialect {
  try {
    if (path !== ':memory:') prepareSqliteFile(path);
    const database = new SqliteDatabase(path);
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    return new SqliteDialect({ database });
  } catch (err) {
    throw new PorticoError(ErrorCode.ERR_STORE_OPEN, path, { cause: err });
  }
}

/**
 * Creates the SQLite file readable by its owner only (its folder 0700 when new), and tightens
 * a file and journals an older version left 0644.
 */
function prepareSqliteFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', SQLITE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, SQLITE_FILE_MODE);
}

/**
 * The pool is made at the first query, and pg loaded then: loading pg also loads Node's fetch
 * implementation (pg probes for `Response`), a few MiB an edge on SQLite never needs.
 */
function openPostgres(url: string): Dialect {
  return new PostgresDialect({
    pool: async () => {
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({
        connectionString: url,
        max: PG_POOL_SIZE,
        connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      });
      // An idle connection that the server closes (restart, DROP DATABASE … FORCE) is an 'error'
      // on the pool; without a listener it would crash the process. The pool discards the client
      // and the next query opens a fresh one, so there is nothing else to do.
      pool.on('error', () => {});
      return pool;
    },
  });
}

/** Which constraint an insert or update broke, if the error is a constraint violation. */
export function constraintViolation(err: unknown): 'unique' | 'foreign_key' | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  // SQLite's extended codes; PostgreSQL's SQLSTATE 23505 unique_violation, 23503 foreign_key_violation.
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505')
    return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') return 'foreign_key';
  return undefined;
}
