import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeenAssertions } from './seen-assertions.ts';

test('an assertion id is accepted once until its NotOnOrAfter, then may be seen again', () => {
  const seen = new SeenAssertions();
  assert.equal(seen.firstUse('idp', '_a', 2_000, 1_000), true);
  assert.equal(seen.firstUse('idp', '_a', 2_000, 1_500), false, 'replayed');
  assert.equal(seen.firstUse('other-idp', '_a', 2_000, 1_500), true, 'ids are per issuer');
  assert.equal(seen.firstUse('idp', '_a', 3_000, 2_000), true, 'expired');
});
