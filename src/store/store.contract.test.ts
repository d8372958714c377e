// The store's contract: the same tests against every engine. SQLite always; PostgreSQL too when
// PORTICO_TEST_DATABASE_URL names a server (each test gets a fresh database on it).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openTestStore, testEngines } from '../../test/support/store.ts';
import { defaultAccountLimits } from './account-limits.ts';
import { migrate } from './migrations/index.ts';
import type { StoreChange } from './changes.ts';
import { openStore } from './store.ts';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

for (const engine of testEngines()) {
  describe(`store contract on ${engine}`, () => {
    test('engine and migrations: the schema is current, migrating again is a no-op', async (t) => {
      const store = await openTestStore(t, engine);
      assert.equal(store.engine, engine);
      assert.deepEqual(await migrate(store.db), []);
    });

    test('accounts: create, get, get by name, list, unique names', async (t) => {
      const store = await openTestStore(t, engine);
      const a = await store.accounts.create('alice');
      const b = await store.accounts.create('bob');
      assert.match(a.id, /^acct_[0-9a-z]{27}$/);
      assert.match(a.created_at, RFC3339);
      assert.deepEqual(await store.accounts.get(a.id), a);
      assert.deepEqual(await store.accounts.getByName('bob'), b);
      assert.equal(await store.accounts.get('acct_missing'), undefined);
      assert.equal(await store.accounts.getByName('carol'), undefined);
      assert.deepEqual(await store.accounts.list(), [b, a]);
      await assert.rejects(store.accounts.create('alice'), { code: 'ERR_STORE_CONFLICT' });
    });

    test('credentials: create, authenticate, get, list, delete', async (t) => {
      const store = await openTestStore(t, engine);
      const account = await store.accounts.create('alice');
      const { credential, token } = await store.credentials.create(account.id, {
        description: 'laptop',
        metadata: '{"k":1}',
        acl: ['bind:*.edge.test'],
      });
      assert.match(credential.id, /^cr_/);
      assert.deepEqual(credential, {
        id: credential.id,
        account_id: account.id,
        description: 'laptop',
        metadata: '{"k":1}',
        acl: ['bind:*.edge.test'],
        created_at: credential.created_at,
      });
      assert.ok(token.reveal().startsWith(`${credential.id.slice(3)}_`));
      assert.deepEqual(await store.credentials.authenticate(token.reveal()), { credential, account });
      assert.deepEqual(await store.credentials.get(account.id, credential.id), credential);
      const second = await store.credentials.create(account.id);
      assert.deepEqual(second.credential.acl, []);
      assert.equal(second.credential.description, '');
      assert.deepEqual(
        (await store.credentials.list(account.id)).map((c) => c.id),
        [second.credential.id, credential.id],
      );
      assert.equal(await store.credentials.delete(account.id, credential.id), true);
      assert.equal(await store.credentials.delete(account.id, credential.id), false);
      assert.equal(await store.credentials.authenticate(token.reveal()), undefined);
      assert.ok(await store.credentials.authenticate(second.token.reveal()));
    });

    test('authentication fails for a wrong secret, an unknown id, a key of the other kind, or junk', async (t) => {
      const store = await openTestStore(t, engine);
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

    test('API keys: create, authenticate, get, list, delete; unknown accounts refused', async (t) => {
      const store = await openTestStore(t, engine);
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

    test('settings: get, set, overwrite', async (t) => {
      const store = await openTestStore(t, engine);
      assert.equal(await store.settings.get('bootstrap'), undefined);
      await store.settings.set('bootstrap', 'a');
      await store.settings.set('bootstrap', 'b');
      assert.equal(await store.settings.get('bootstrap'), 'b');
    });

    test('used once: a key is refused until it expires, also by a second store on the database (a restart, another edge)', async (t) => {
      const store = await openTestStore(t, engine);
      assert.equal(await store.usedOnce.firstUse('a', 2_000, 1_000), true);
      assert.equal(await store.usedOnce.firstUse('a', 2_000, 1_500), false, 'used');
      assert.equal(await store.usedOnce.firstUse('b', 2_000, 1_500), true, 'another key');
      const second = await openStore({ dataDir: store.dataDir, url: store.url });
      try {
        assert.equal(await second.usedOnce.firstUse('b', 2_000, 1_600), false, 'seen from the other store');
        assert.equal(await second.usedOnce.firstUse('a', 3_000, 2_000), true, 'expired: usable again');
      } finally {
        await second.close();
      }
      assert.equal(await store.usedOnce.firstUse('a', 3_000, 2_500), false, 'and recorded again');
      // A first use a minute after the last sweep deletes every expired key.
      assert.equal(await store.usedOnce.firstUse('c', 200_000, 100_000), true);
      const left = await store.db.selectFrom('used_once').select('key').orderBy('key').execute();
      assert.deepEqual(
        left.map((r) => r.key),
        ['c'],
      );
    });

    test('resources: create, get, getAnyKind, update, delete, scoped by account and kind', async (t) => {
      const store = await openTestStore(t, engine);
      const [alice, bob] = [await store.accounts.create('alice'), await store.accounts.create('bob')];
      const doc = { description: 'office', metadata: '', nested: { list: [1, 'two', null], flag: true } };
      const created = await store.resources.create(alice.id, 'ip_policy', 'ipp', doc);
      assert.match(created.id, /^ipp_[0-9a-z]{27}$/);
      assert.match(created.created_at, RFC3339);
      assert.deepEqual(created, {
        id: created.id,
        account_id: alice.id,
        kind: 'ip_policy',
        key: null,
        created_at: created.created_at,
        doc,
      });
      assert.deepEqual(await store.resources.get(alice.id, 'ip_policy', created.id), created);
      assert.deepEqual(await store.resources.getAnyKind(alice.id, created.id), created);
      assert.equal(await store.resources.get(bob.id, 'ip_policy', created.id), undefined, 'another account');
      assert.equal(await store.resources.get(alice.id, 'ip_policy_rule', created.id), undefined, 'another kind');
      assert.equal(await store.resources.getAnyKind(bob.id, created.id), undefined);

      assert.equal(await store.resources.update(bob.id, 'ip_policy', created.id, { description: 'stolen' }), false);
      assert.equal(
        await store.resources.update(alice.id, 'ip_policy', created.id, { ...doc, description: 'lab' }),
        true,
      );
      assert.equal((await store.resources.get(alice.id, 'ip_policy', created.id))?.doc.description, 'lab');
      assert.equal(await store.resources.update(alice.id, 'ip_policy', 'ipp_missing', doc), false);

      assert.equal(await store.resources.delete(bob.id, 'ip_policy', created.id), false);
      assert.equal(await store.resources.delete(alice.id, 'ip_policy', created.id), true);
      assert.equal(await store.resources.delete(alice.id, 'ip_policy', created.id), false);
      assert.equal(await store.resources.get(alice.id, 'ip_policy', created.id), undefined);
      await assert.rejects(store.resources.create('acct_missing', 'ip_policy', 'ipp', doc));
    });

    test('resources: list pages newest first across kinds; all() spans accounts', async (t) => {
      const store = await openTestStore(t, engine);
      const [alice, bob] = [await store.accounts.create('alice'), await store.accounts.create('bob')];
      const ids: string[] = [];
      for (let i = 0; i < 7; i++)
        ids.push(
          (
            await store.resources.create(
              alice.id,
              i % 2 ? 'tunnel_group_backend' : 'failover_backend',
              i % 2 ? 'bkdtg' : 'bkdfo',
              { n: i },
            )
          ).id,
        );
      const theirs = await store.resources.create(bob.id, 'failover_backend', 'bkdfo', { n: 99 });
      const newest = [...ids].sort().reverse();
      const page = (beforeId?: string) =>
        store.resources.list(alice.id, 'failover_backend', { limit: 3, beforeId }).then((rs) => rs.map((r) => r.id));
      const failover = ids.filter((_, i) => i % 2 === 0).reverse();
      assert.deepEqual(await page(), failover.slice(0, 3));
      assert.deepEqual(await page(failover[2]), failover.slice(3));
      assert.deepEqual(await page(failover[3]), []);
      const both = await store.resources.list(alice.id, ['failover_backend', 'tunnel_group_backend'], { limit: 100 });
      assert.deepEqual(
        both
          .map((r) => r.id)
          .sort()
          .reverse(),
        newest,
      );
      assert.deepEqual(
        (await store.resources.all('failover_backend')).map((r) => r.id),
        [...failover.reverse(), theirs.id],
      );
      assert.deepEqual(
        (await store.resources.all('failover_backend', alice.id)).map((r) => r.id),
        failover,
      );
      assert.deepEqual(await store.resources.list(bob.id, 'tunnel_group_backend', { limit: 10 }), []);
    });

    test('resources: unique keys across accounts, NULL keys repeat, getByKey, listByKeySuffix', async (t) => {
      const store = await openTestStore(t, engine);
      const [alice, bob] = [await store.accounts.create('alice'), await store.accounts.create('bob')];
      const wildcard = await store.resources.create(
        alice.id,
        'reserved_domain',
        'rd',
        { domain: '*.example.com' },
        '*.example.com',
      );
      const app = await store.resources.create(
        alice.id,
        'reserved_domain',
        'rd',
        { domain: 'app.example.com' },
        'app.example.com',
      );
      const deep = await store.resources.create(
        bob.id,
        'reserved_domain',
        'rd',
        { domain: 'a_b.x.example.com' },
        'a_b.x.example.com',
      );
      await store.resources.create(bob.id, 'reserved_domain', 'rd', { domain: 'example.org' }, 'example.org');
      await assert.rejects(store.resources.create(bob.id, 'reserved_domain', 'rd', {}, 'app.example.com'), {
        code: 'ERR_STORE_CONFLICT',
      });
      await assert.rejects(store.resources.create(alice.id, 'reserved_domain', 'rd', {}, 'app.example.com'), {
        code: 'ERR_STORE_CONFLICT',
      });
      // Same key, other kind: allowed. No key: any number.
      await store.resources.create(bob.id, 'reserved_addr', 'ra', {}, 'app.example.com');
      for (let i = 0; i < 3; i++) await store.resources.create(alice.id, 'ip_policy', 'ipp', {});

      assert.deepEqual(await store.resources.getByKey('reserved_domain', 'app.example.com'), app);
      assert.equal((await store.resources.getByKey('reserved_domain', '*.example.com'))?.id, wildcard.id);
      assert.equal(
        await store.resources.getByKey('reserved_domain', 'APP.example.com'),
        undefined,
        'keys match exactly',
      );
      assert.equal(await store.resources.getByKey('reserved_domain', 'nope.example.com'), undefined);
      const under = await store.resources.listByKeySuffix('reserved_domain', '.example.com');
      assert.deepEqual(under.map((r) => r.id).sort(), [wildcard.id, app.id, deep.id].sort());
      // `_` is a LIKE wildcard: the store must not treat it as one.
      assert.deepEqual(
        (await store.resources.listByKeySuffix('reserved_domain', 'a_b.x.example.com')).map((r) => r.id),
        [deep.id],
      );
      assert.deepEqual(await store.resources.listByKeySuffix('reserved_domain', 'aXb.x.example.com'), []);
      // Deleting frees the key.
      await store.resources.delete(alice.id, 'reserved_domain', app.id);
      assert.equal(
        (await store.resources.create(bob.id, 'reserved_domain', 'rd', {}, 'app.example.com')).account_id,
        bob.id,
      );
    });

    test("resources: referencing finds the account's documents that mention an id", async (t) => {
      const store = await openTestStore(t, engine);
      const [alice, bob] = [await store.accounts.create('alice'), await store.accounts.create('bob')];
      const policy = await store.resources.create(alice.id, 'ip_policy', 'ipp', { description: '' });
      const rule = await store.resources.create(alice.id, 'ip_policy_rule', 'ipr', { ip_policy_id: policy.id });
      const edge = await store.resources.create(alice.id, 'https_edge', 'edghts', {
        routes: [{ ip_restriction: { ip_policy_ids: [policy.id] } }],
      });
      await store.resources.create(bob.id, 'ip_policy_rule', 'ipr', { ip_policy_id: policy.id });
      await store.resources.create(alice.id, 'ip_policy_rule', 'ipr', { ip_policy_id: policy.id.toUpperCase() });
      const users = await store.resources.referencing(alice.id, policy.id, policy.id);
      assert.deepEqual(users.map((r) => r.id).sort(), [rule.id, edge.id].sort());
      assert.deepEqual(
        (await store.resources.referencing(alice.id, policy.id, rule.id)).map((r) => r.id),
        [edge.id],
        'exceptId is left out',
      );
      assert.deepEqual(await store.resources.referencing(alice.id, 'ipp_nothing'), []);
    });

    test('resources: changes are announced after each committed write, not after refused ones', async (t) => {
      const store = await openTestStore(t, engine);
      const account = await store.accounts.create('alice');
      const seen: StoreChange[] = [];
      store.changes.on('change', (c) => seen.push(c));
      const a = await store.resources.create(account.id, 'reserved_domain', 'rd', {}, 'a.example.com');
      await assert.rejects(store.resources.create(account.id, 'reserved_domain', 'rd', {}, 'a.example.com'));
      await store.resources.update(account.id, 'reserved_domain', a.id, { description: 'x' });
      await store.resources.update(account.id, 'reserved_domain', 'rd_missing', {});
      await store.resources.delete(account.id, 'reserved_domain', a.id);
      await store.resources.delete(account.id, 'reserved_domain', a.id);
      const expect = (op: StoreChange['op']) => ({ op, kind: 'reserved_domain', id: a.id, accountId: account.id });
      assert.deepEqual(seen, [expect('created'), expect('updated'), expect('deleted')]);
    });

    test("deleting an account removes its credentials, API keys and resources, not others'", async (t) => {
      const store = await openTestStore(t, engine);
      const [alice, bob] = [await store.accounts.create('alice'), await store.accounts.create('bob')];
      const { token } = await store.credentials.create(alice.id);
      const { token: key } = await store.apiKeys.create(alice.id);
      await store.resources.create(alice.id, 'reserved_domain', 'rd', {}, 'alice.example.com');
      await store.resources.create(alice.id, 'ip_policy', 'ipp', {});
      const kept = await store.resources.create(bob.id, 'ip_policy', 'ipp', {});
      const bobToken = (await store.credentials.create(bob.id)).token;
      assert.equal(await store.accounts.delete(alice.id), true);
      assert.equal(await store.accounts.delete(alice.id), false);
      assert.equal(await store.credentials.authenticate(token.reveal()), undefined);
      assert.equal(await store.apiKeys.authenticate(key.reveal()), undefined);
      const left = await store.db
        .selectFrom('credentials')
        .select('account_id')
        .union(store.db.selectFrom('api_keys').select('account_id'))
        .union(store.db.selectFrom('resources').select('account_id'))
        .execute();
      assert.deepEqual(left, [{ account_id: bob.id }]);
      assert.deepEqual(await store.resources.get(bob.id, 'ip_policy', kept.id), kept);
      assert.ok(await store.credentials.authenticate(bobToken.reveal()));
      // The name and the unique key are free again.
      await store.accounts.create('alice');
      await store.resources.create(bob.id, 'reserved_domain', 'rd', {}, 'alice.example.com');
    });

    test('account limits: defaults until set, set and reset per limit, counted resources, gone with the account', async (t) => {
      const store = await openTestStore(t, engine);
      const alice = await store.accounts.create('alice');
      const bob = await store.accounts.create('bob');
      assert.deepEqual(await store.accountLimits.get(alice.id), defaultAccountLimits);
      assert.equal((await store.accountLimits.overrides(alice.id)).max_sessions, null);
      await store.accountLimits.set(alice.id, { max_sessions: 3, max_reserved_domains: 0 });
      await store.accountLimits.set(alice.id, { max_api_requests_per_minute: 2_147_483_647 });
      assert.deepEqual(await store.accountLimits.get(alice.id), {
        ...defaultAccountLimits,
        max_sessions: 3,
        max_reserved_domains: 0,
        max_api_requests_per_minute: 2_147_483_647,
      });
      await store.accountLimits.set(alice.id, { max_sessions: null });
      assert.equal((await store.accountLimits.get(alice.id)).max_sessions, defaultAccountLimits.max_sessions);
      assert.equal((await store.accountLimits.overrides(alice.id)).max_reserved_domains, 0);
      assert.deepEqual(await store.accountLimits.get(bob.id), defaultAccountLimits);

      for (let i = 0; i < 3; i++)
        await store.resources.create(alice.id, 'reserved_domain', 'rd', {}, `n${i}.example.com`);
      await store.resources.create(alice.id, 'ip_policy', 'ipp', {});
      await store.resources.create(bob.id, 'reserved_domain', 'rd', {}, 'bob.example.com');
      assert.equal(await store.resources.count(alice.id, 'reserved_domain'), 3);
      assert.equal(await store.resources.count(bob.id, 'reserved_domain'), 1);
      assert.equal(await store.resources.count(bob.id, 'reserved_addr'), 0);

      await store.accounts.delete(alice.id);
      assert.deepEqual(await store.db.selectFrom('account_limits').selectAll().execute(), []);
    });

    test("two stores on one database see each other's writes (the edge and `portico account`)", async (t) => {
      const first = await openTestStore(t, engine);
      const second = await openStore({ dataDir: first.dataDir, url: first.url });
      try {
        assert.deepEqual(await migrate(second.db), [], 'the schema is already current');
        const account = await second.accounts.create('carol');
        const { token } = await second.apiKeys.create(account.id);
        assert.deepEqual((await first.apiKeys.authenticate(token.reveal()))?.account, account);
        await first.resources.create(account.id, 'ip_policy', 'ipp', { description: 'from the first' });
        assert.equal(
          (await second.resources.list(account.id, 'ip_policy', { limit: 5 }))[0]?.doc.description,
          'from the first',
        );
        assert.equal(await second.accounts.delete(account.id), true);
        assert.equal(await first.apiKeys.authenticate(token.reveal()), undefined);
      } finally {
        await second.close();
      }
    });

    test('a store following the others announces their changes once, in order, and not its own', async (t) => {
      const edge = await openTestStore(t, engine);
      const cli = await openStore({ dataDir: edge.dataDir, url: edge.url });
      t.after(() => cli.close());
      const seen: StoreChange[] = [];
      edge.changes.on('change', (c) => seen.push(c));
      const before = await cli.accounts.create('before');
      await cli.resources.create(before.id, 'ip_policy', 'ipp', {});
      const errors: unknown[] = [];
      const stop = await edge.changes.followOthers((err) => errors.push(err), 20);
      t.after(stop);

      const own = await edge.accounts.create('own');
      const mine = await edge.resources.create(own.id, 'ip_policy', 'ipp', {});
      const carol = await cli.accounts.create('carol');
      const policy = await cli.resources.create(carol.id, 'ip_policy', 'ipp', {});
      await cli.resources.update(carol.id, 'ip_policy', policy.id, { description: 'x' });
      const { credential } = await cli.credentials.create(carol.id);
      await cli.credentials.delete(carol.id, credential.id);
      await cli.resources.update(carol.id, 'ip_policy', 'ipp_missing', {});
      await cli.accounts.delete(carol.id);
      const expected: StoreChange[] = [
        { op: 'created', kind: 'ip_policy', id: mine.id, accountId: own.id },
        { op: 'created', kind: 'ip_policy', id: policy.id, accountId: carol.id },
        { op: 'updated', kind: 'ip_policy', id: policy.id, accountId: carol.id },
        { op: 'deleted', kind: 'credential', id: credential.id, accountId: carol.id },
        { op: 'deleted', kind: 'account', id: carol.id, accountId: carol.id },
      ];
      for (let i = 0; seen.length < expected.length && i < 250; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(seen, expected, 'changes made before following are not announced; own ones once');
      assert.deepEqual(errors, []);
    });
  });
}
