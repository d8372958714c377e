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
    [
      'export function explode(): never {',
      '  const reason: string = "boom";',
      '  throw new Error(reason);',
      '}',
      'export async function launch(): Promise<void> {',
      '  await Promise.resolve();',
      '  explode();',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'entry.ts'),
    [
      `import { mapStackTraces } from ${JSON.stringify(join(import.meta.dirname, 'stack-source-maps.ts'))};`,
      `import { launch } from './thrower.ts';`,
      `mapStackTraces(new URL('.', import.meta.url).href);`,
      'launch().catch((err: Error) => process.stdout.write(err.stack ?? ""));',
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
  const thrower = join(dir, 'thrower.ts').replace(/[.]/g, '\\.');
  // Every position in the source; a function called from a mapped frame under its source name,
  // though the bundle renamed it (a frame resumed by await has no caller to take it from).
  assert.match(stack, new RegExp(`\\n    at explode \\(${thrower}:3:9\\)\\n    at \\w+ \\(${thrower}:7:3\\)`), stack);
  assert.doesNotMatch(stack, /entry\.js:1:/, 'every frame of the bundle is mapped');
});
