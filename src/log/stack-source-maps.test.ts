import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundle-options.js';

// A script bundled and minified as the CLI is, run without Node's own source-map support.
test('a built script throwing prints a trace that names the .ts line, maps read on demand', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-maps-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'thrower.ts'),
    ['export function explode(): never {', '  const reason: string = "boom";', '  throw new Error(reason);', '}', ''].join('\n'),
  );
  writeFileSync(
    join(dir, 'entry.ts'),
    [
      `import { mapStackTraces } from ${JSON.stringify(join(import.meta.dirname, 'stack-source-maps.ts'))};`,
      `import { explode } from './thrower.ts';`,
      `mapStackTraces(new URL('.', import.meta.url).href);`,
      'try { explode(); } catch (err) { process.stdout.write((err as Error).stack ?? ""); }',
      '',
    ].join('\n'),
  );
  await build({
    entryPoints: [join(dir, 'entry.ts')],
    outdir: join(dir, 'dist'),
    ...bundleOptions,
    sourcemap: true,
    sourcesContent: false,
  });
  const stack = execFileSync(process.execPath, [join(dir, 'dist', 'entry.js')], { encoding: 'utf8' });
  assert.match(stack, /^Error: boom\n/);
  assert.match(stack, new RegExp(`at explode \\(${join(dir, 'thrower.ts').replace(/[.]/g, '\\.')}:3:9\\)`));
  assert.doesNotMatch(stack, /entry\.js:1:/, 'every frame of the bundle is mapped');
});
