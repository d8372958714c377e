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

test('the scavenger runs a scavenge that frees dead buffers where the launcher exposed the collector, and is absent without it', () => {
  const script = [
    "import { constants, performance, PerformanceObserver } from 'node:perf_hooks';",
    `import { scavenger } from ${JSON.stringify(join(import.meta.dirname, 'v8-flags.ts'))};`,
    'const scavenge = scavenger();',
    'if (scavenge === null) { console.log("none"); process.exit(0); }',
    'const minor = [];',
    'const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor.push(e.startTime); });',
    "observer.observe({ entryTypes: ['gc'] });",
    // 256 socket reads' worth of buffers, each dead at once, as a transfer leaves them (V8 may
    // or may not have collected some of them by itself meanwhile).
    'for (let i = 0; i < 256; i++) Buffer.allocUnsafeSlow(64 * 1024).fill(i);',
    'const asked = performance.now();',
    'scavenge();',
    // Freed by the collection, or just after it on a background thread (V8's default).
    'setTimeout(() => {',
    '  observer.disconnect();',
    '  console.log(JSON.stringify({ ran: minor.some((t) => t >= asked), left: process.memoryUsage().arrayBuffers }));',
    '}, 100);',
  ].join('\n');
  const run = (flags: string[]) =>
    spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
  const exposed = run(['--expose-gc']);
  assert.equal(exposed.status, 0, exposed.stderr);
  const { ran, left } = JSON.parse(exposed.stdout) as { ran: boolean; left: number };
  assert.equal(ran, true, exposed.stdout);
  assert.ok(left < 4 * 1024 * 1024, `array buffers left: ${left}`);
  assert.equal(run([]).stdout.trim(), 'none');
});
