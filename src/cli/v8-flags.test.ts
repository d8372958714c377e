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

test('the scavenger frees dead buffers where the launcher exposed the collector, and is absent without it', () => {
  const script = [
    `import { scavenger } from ${JSON.stringify(join(import.meta.dirname, 'v8-flags.ts'))};`,
    'const scavenge = scavenger();',
    'if (scavenge === null) { console.log("none"); process.exit(0); }',
    // 256 socket reads' worth of buffers, each dead at once, as a transfer leaves them.
    'for (let i = 0; i < 256; i++) Buffer.allocUnsafeSlow(64 * 1024).fill(i);',
    'const before = process.memoryUsage().arrayBuffers;',
    'scavenge();',
    'console.log(String(before - process.memoryUsage().arrayBuffers));',
  ].join('\n');
  const run = (flags: string[]) =>
    spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
  const exposed = run(['--expose-gc']);
  assert.equal(exposed.status, 0, exposed.stderr);
  assert.ok(Number(exposed.stdout) >= 8 * 1024 * 1024, `freed ${exposed.stdout}`);
  assert.equal(run([]).stdout.trim(), 'none');
});
