import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { V8_FLAGS } from './v8-flags.ts';

// V8 reads these flags as it collects, so what they do is measured by the bench (bench/README.md);
// what a test can hold is that this runtime's V8 still knows each: one it did not know would print
// an error line at every start of `portico` and change nothing.
test("every V8 flag Portico sets is one this runtime's V8 knows, set without a word", () => {
  const script = [
    `import { setV8Flags } from ${JSON.stringify(join(import.meta.dirname, 'v8-flags.ts'))};`,
    'setV8Flags();',
  ].join('\n');
  const set = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(set.status, 0);
  assert.equal(set.stderr, '');
  for (const flag of V8_FLAGS) {
    const given = spawnSync(process.execPath, [flag, '-e', '0'], { encoding: 'utf8' });
    assert.equal(given.status, 0, `${flag}: ${given.stderr}`);
  }
});
