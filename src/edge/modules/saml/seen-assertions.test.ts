import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTestStore, testEngines } from '../../../../test/support/store.ts';
import { SeenAssertions } from './seen-assertions.ts';

for (const engine of testEngines())
  test(`an assertion id is accepted once until its NotOnOrAfter, then may be seen again; the store keeps it (${engine})`, async (t) => {
    const store = await openTestStore(t, engine);
    const seen = new SeenAssertions(store.usedOnce);
    assert.equal(await seen.firstUse('idp', '_a', 2_000, 1_000), true);
    assert.equal(await seen.firstUse('idp', '_a', 2_000, 1_500), false, 'replayed');
    assert.equal(await seen.firstUse('other-idp', '_a', 2_000, 1_500), true, 'ids are per issuer');
    assert.equal(await seen.firstUse('idp\0', '\0_a\u00e9', 2_000, 1_500), true, 'any text');
    // The edge restarted on the same store, or another edge sharing it.
    assert.equal(await new SeenAssertions(store.usedOnce).firstUse('idp', '_a', 2_000, 1_600), false, 'still replayed');
    assert.equal(await seen.firstUse('idp', '_a', 3_000, 2_000), true, 'expired');
    assert.equal(await seen.firstUse('idp', '_b', undefined, 2_000), true);
    assert.equal(
      await seen.firstUse('idp', '_b', undefined, 2_000 + 3_599_999),
      false,
      'kept an hour without NotOnOrAfter',
    );
  });
