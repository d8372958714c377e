import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { HEAP_GROWING_PERCENT } from './heap-growth.ts';

// V8 reads the flag at each full collection, so what it does is measured by the bench (bench/README.md);
// what a test can hold is that this runtime's V8 still knows it: one that did not would print an
// error line at every start of `portico` and collect as before.
test("the old generation's growing factor is a flag this runtime's V8 knows, set without a word", () => {
  const script = [
    `import { growOldGenerationByHalf } from ${JSON.stringify(join(import.meta.dirname, 'heap-growth.ts'))};`,
    'growOldGenerationByHalf();',
  ].join('\n');
  const set = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(set.status, 0);
  assert.equal(set.stderr, '');
  const given = spawnSync(process.execPath, [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`, '-e', '0'], {
    encoding: 'utf8',
  });
  assert.equal(given.status, 0, given.stderr);
});
