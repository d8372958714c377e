import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idPrefix, isValidId, newId } from './ids.ts';

test('ids are <prefix>_<27 lower-case base32> and sort in creation order', () => {
  const ids = Array.from({ length: 5000 }, () => newId('cr'));
  for (const id of ids) assert.match(id, /^cr_[0-9a-hjkmnp-tv-z]{27}$/);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

test('ids made later sort after ids made earlier, whatever the prefix body', async () => {
  const first = newId('acct');
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = newId('acct');
  assert.ok(first.slice(5) < second.slice(5));
  assert.notEqual(first.slice(5, 15), second.slice(5, 15), 'time part advanced');
});

test('idPrefix and isValidId', () => {
  const id = newId('edghtsrt');
  assert.equal(idPrefix(id), 'edghtsrt');
  assert.equal(idPrefix('nounderscore'), '');
  assert.equal(isValidId(id), true);
  assert.equal(isValidId(id, 'edghtsrt'), true);
  assert.equal(isValidId(id, 'edghts'), false);
  assert.equal(isValidId('cr_short'), false);
  assert.equal(isValidId(`cr_${'U'.repeat(27)}`), false);
  assert.throws(() => newId('Bad_Prefix'), RangeError);
});
