import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrate } from './migrations/index.ts';
import { describeTarget, parseDatabaseUrl } from './dialect.ts';
import { openStore, type Store } from './store.ts';

// SQLite specifics: files, WAL, URLs. What every engine must do is in store.contract.test.ts.

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function open(t: TestContext, dataDir: string): Promise<Store> {
  const store = await openStore({ dataDir });
  t.after(() => store.close());
  return store;
}

test('no token secret is ever written to disk in plain text', async (t) => {
  const dir = await tempDir(t);
  const store = await openStore({ dataDir: dir });
  const account = await store.accounts.create('alice');
  const tokens = [(await store.credentials.create(account.id)).token, (await store.apiKeys.create(account.id)).token];
  const secrets = tokens.map((token) => token.reveal().slice(28));
  const whileOpen = await filesIn(dir);
  assert.ok(whileOpen.has('portico.db-wal'), 'the WAL file is searched too');
  // Positive control: the id half of the token is stored, so the byte search does find text.
  assert.ok([...whileOpen.values()].some((bytes) => bytes.includes(tokens[0]!.reveal().slice(0, 27))));
  assertAbsent(whileOpen, secrets, 'while open (WAL)');
  await store.close();
  assertAbsent(await filesIn(dir), secrets, 'after close');
});

async function filesIn(dir: string): Promise<Map<string, Buffer>> {
  const names = await readdir(dir);
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name))] as const)));
}

function assertAbsent(files: Map<string, Buffer>, secrets: string[], when: string): void {
  assert.ok(files.has('portico.db'), when);
  for (const [name, bytes] of files) {
    for (const secret of secrets) assert.equal(bytes.includes(secret), false, `${name} ${when}`);
  }
}

test('reopening keeps the data, and migrations are a no-op the second time', async (t) => {
  const dir = await tempDir(t);
  const first = await openStore({ dataDir: dir });
  const account = await first.accounts.create('alice');
  const { token } = await first.credentials.create(account.id);
  await first.settings.set('k', 'v');
  await first.close();
  const second = await open(t, dir);
  assert.deepEqual(await second.accounts.get(account.id), account);
  assert.ok(await second.credentials.authenticate(token.reveal()));
  assert.equal(await second.settings.get('k'), 'v');
  assert.deepEqual(await migrate(second.db), []);
});

test('database URLs: sqlite paths work, postgres URLs select PostgreSQL, other schemes are refused', async (t) => {
  const dir = await tempDir(t);
  const store = await openStore({ dataDir: dir, url: `sqlite:${join(dir, 'sub', 'other.db')}` });
  await store.accounts.create('x');
  await store.close();
  assert.ok((await readdir(join(dir, 'sub'))).includes('other.db'));
  const memory = await openStore({ dataDir: dir, url: 'sqlite::memory:' });
  await memory.close();
  assert.deepEqual(parseDatabaseUrl(dir, 'postgres://u:pw@db.example/portico'), {
    kind: 'postgres',
    url: 'postgres://u:pw@db.example/portico',
  });
  assert.equal(parseDatabaseUrl(dir, 'postgresql://u@db/p').kind, 'postgres');
  assert.equal(
    describeTarget(parseDatabaseUrl(dir, 'postgres://u:secret@db.example:5433/portico')),
    'postgres://u:***@db.example:5433/portico',
  );
  // Nothing listens on port 1: the store fails to open, naming the database but not the password.
  await assert.rejects(
    openStore({ dataDir: dir, url: 'postgres://u:secret@127.0.0.1:1/portico' }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_STORE_OPEN');
      assert.match(err.message, /postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/portico/);
      assert.doesNotMatch(err.message, /secret/);
      return true;
    },
  );
  await assert.rejects(openStore({ dataDir: dir, url: 'mysql://x' }), { code: 'ERR_CONFIG_INVALID' });
});

test('the SQLite file runs in WAL mode with foreign keys on', async (t) => {
  const store = await open(t, await tempDir(t));
  const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
  const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
  const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db);
  assert.equal(mode.rows[0]?.journal_mode, 'wal');
  assert.equal(fk.rows[0]?.foreign_keys, 1);
  assert.equal(busy.rows[0]?.timeout, 5000);
});
