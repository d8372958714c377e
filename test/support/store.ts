/**
 * Stores for tests: a fresh SQLite file, or a fresh PostgreSQL database when the run asks for
 * one. PORTICO_TEST_DATABASE_URL is a PostgreSQL server's maintenance URL (e.g.
 * postgres://edge@127.0.0.1:55432/postgres); each test gets its own `portico_t_<random>`
 * database on it, dropped after the test.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/store.ts';

export type Engine = 'sqlite' | 'postgres';

/** The PostgreSQL maintenance URL of this run, if it has one. */
export function testDatabaseUrl(): string | undefined {
  return process.env.PORTICO_TEST_DATABASE_URL || undefined;
}

/**
 * The engines the contract suite covers: SQLite always, PostgreSQL too when a server is given;
 * only PostgreSQL on the PostgreSQL pass (PORTICO_TEST_STORE=postgres) of scripts/test.js.
 */
export function testEngines(): Engine[] {
  if (edgesUsePostgres()) return ['postgres'];
  return testDatabaseUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** True when the API and e2e suites should run their edges on PostgreSQL (PORTICO_TEST_STORE=postgres). */
export function edgesUsePostgres(): boolean {
  const wanted = process.env.PORTICO_TEST_STORE === 'postgres';
  if (wanted && !testDatabaseUrl()) throw new Error('PORTICO_TEST_STORE=postgres needs PORTICO_TEST_DATABASE_URL');
  return wanted;
}

/** A database made for one test. */
export interface TestDatabase {
  url: string;
  /** Drops it; WITH (FORCE), so connections still open (an edge not yet closed) go too. */
  drop(): Promise<void>;
}

/** Creates an empty database on the test server. The caller drops it (see `createTestDatabase`). */
export async function makeTestDatabase(): Promise<TestDatabase> {
  const maintenance = testDatabaseUrl();
  if (!maintenance) throw new Error('PORTICO_TEST_DATABASE_URL is not set');
  const name = `portico_t_${randomBytes(6).toString('hex')}`;
  await admin(maintenance, `CREATE DATABASE ${name}`);
  const url = new URL(maintenance);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(maintenance, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Creates an empty database on the test server, dropped after the test; returns its URL. */
export async function createTestDatabase(t: TestContext): Promise<string> {
  const database = await makeTestDatabase();
  t.after(() => database.drop());
  return database.url;
}

/** A test's store and where it lives, to open a second connection to the same database. */
export interface TestStore extends Store {
  dataDir: string;
  /** The PostgreSQL database's URL; undefined for SQLite (the file is in `dataDir`). */
  url: string | undefined;
}

/** Opens a store on a fresh database of `engine`; closed, then removed, after the test. */
export async function openTestStore(t: TestContext, engine: Engine): Promise<TestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-store-'));
  const database = engine === 'postgres' ? await makeTestDatabase() : undefined;
  const cleanup = async (store?: Store) => {
    await store?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  let store: Store;
  try {
    store = await openStore({ dataDir, url: database?.url });
  } catch (err) {
    await cleanup();
    throw err;
  }
  t.after(() => cleanup(store));
  return Object.assign(store, { dataDir, url: database?.url });
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
