import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrate } from './migrations/index.ts';
import { openStore, type Store } from './store.ts';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

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

test('accounts: create, get, get by name, list, unique names', async (t) => {
  const store = await open(t, join(await tempDir(t), 'data'));
  const a = await store.accounts.create('alice');
  const b = await store.accounts.create('bob');
  assert.match(a.id, /^acct_[0-9a-z]{27}$/);
  assert.match(a.created_at, RFC3339);
  assert.deepEqual(await store.accounts.get(a.id), a);
  assert.deepEqual(await store.accounts.getByName('bob'), b);
  assert.equal(await store.accounts.get('acct_missing'), undefined);
  assert.deepEqual(await store.accounts.list(), [b, a]);
  await assert.rejects(store.accounts.create('alice'), { code: 'ERR_STORE_CONFLICT' });
});

test('credentials: create, authenticate, get, list, delete', async (t) => {
  const store = await open(t, await tempDir(t));
  const account = await store.accounts.create('alice');
  const { credential, token } = await store.credentials.create(account.id, { description: 'laptop', metadata: '{"k":1}', acl: ['bind:*.edge.test'] });
  assert.match(credential.id, /^cr_/);
  assert.deepEqual(credential, { id: credential.id, account_id: account.id, description: 'laptop', metadata: '{"k":1}', acl: ['bind:*.edge.test'], created_at: credential.created_at });
  assert.ok(token.reveal().startsWith(`${credential.id.slice(3)}_`));
  assert.deepEqual(await store.credentials.authenticate(token.reveal()), { credential, account });
  assert.deepEqual(await store.credentials.get(account.id, credential.id), credential);
  const second = await store.credentials.create(account.id);
  assert.deepEqual(second.credential.acl, []);
  assert.equal(second.credential.description, '');
  assert.deepEqual((await store.credentials.list(account.id)).map((c) => c.id), [second.credential.id, credential.id]);
  assert.equal(await store.credentials.delete(account.id, credential.id), true);
  assert.equal(await store.credentials.delete(account.id, credential.id), false);
  assert.equal(await store.credentials.authenticate(token.reveal()), undefined);
  assert.ok(await store.credentials.authenticate(second.token.reveal()));
});

test('authentication fails for a wrong secret, an unknown id, a key of the other kind, or junk', async (t) => {
  const store = await open(t, await tempDir(t));
  const account = await store.accounts.create('alice');
  const { token } = await store.credentials.create(account.id);
  const { token: key } = await store.apiKeys.create(account.id);
  const [body, secret] = [token.reveal().slice(0, 27), token.reveal().slice(28)];
  const flipped = secret[0] === 'A' ? `B${secret.slice(1)}` : `A${secret.slice(1)}`;
  assert.equal(await store.credentials.authenticate(`${body}_${flipped}`), undefined);
  assert.equal(await store.credentials.authenticate(`${'0'.repeat(27)}_${secret}`), undefined);
  assert.equal(await store.credentials.authenticate(key.reveal()), undefined);
  assert.equal(await store.apiKeys.authenticate(token.reveal()), undefined);
  assert.equal(await store.credentials.authenticate('not a token'), undefined);
  assert.ok(await store.apiKeys.authenticate(key.reveal()));
});

test('API keys: create, authenticate, get, list, delete', async (t) => {
  const store = await open(t, await tempDir(t));
  const account = await store.accounts.create('alice');
  const { apiKey, token } = await store.apiKeys.create(account.id, { description: 'ci' });
  assert.match(apiKey.id, /^ak_[0-9a-z]{27}$/);
  assert.deepEqual(await store.apiKeys.authenticate(token.reveal()), { apiKey, account });
  assert.deepEqual(await store.apiKeys.get(account.id, apiKey.id), apiKey);
  assert.equal(await store.apiKeys.get('acct_other', apiKey.id), undefined, 'scoped to the account');
  assert.deepEqual(await store.apiKeys.list(account.id), [apiKey]);
  assert.equal(await store.apiKeys.delete('acct_other', apiKey.id), false);
  assert.equal(await store.apiKeys.delete(account.id, apiKey.id), true);
  assert.equal(await store.apiKeys.authenticate(token.reveal()), undefined);
  await assert.rejects(store.apiKeys.create('acct_missing'), { code: 'ERR_STORE_NOT_FOUND' });
  await assert.rejects(store.credentials.create('acct_missing'), { code: 'ERR_STORE_NOT_FOUND' });
});

test('deleting an account removes its credentials and API keys', async (t) => {
  const store = await open(t, await tempDir(t));
  const account = await store.accounts.create('alice');
  const { token } = await store.credentials.create(account.id);
  const { token: key } = await store.apiKeys.create(account.id);
  assert.equal(await store.accounts.delete(account.id), true);
  assert.equal(await store.accounts.delete(account.id), false);
  assert.equal(await store.credentials.authenticate(token.reveal()), undefined);
  assert.equal(await store.apiKeys.authenticate(key.reveal()), undefined);
  const left = await store.db.selectFrom('credentials').select('id').union(store.db.selectFrom('api_keys').select('id')).execute();
  assert.deepEqual(left, []);
});

test('settings: get, set, overwrite', async (t) => {
  const store = await open(t, await tempDir(t));
  assert.equal(await store.settings.get('bootstrap'), undefined);
  await store.settings.set('bootstrap', 'a');
  await store.settings.set('bootstrap', 'b');
  assert.equal(await store.settings.get('bootstrap'), 'b');
});

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

test('database URLs: sqlite paths work, postgres is refused for now', async (t) => {
  const dir = await tempDir(t);
  const store = await openStore({ dataDir: dir, url: `sqlite:${join(dir, 'sub', 'other.db')}` });
  await store.accounts.create('x');
  await store.close();
  assert.ok((await readdir(join(dir, 'sub'))).includes('other.db'));
  const memory = await openStore({ dataDir: dir, url: 'sqlite::memory:' });
  await memory.close();
  await assert.rejects(openStore({ dataDir: dir, url: 'postgres://u@127.0.0.1/portico' }), { code: 'ERR_CONFIG_INVALID', message: /PostgreSQL support arrives/ });
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
