// Builds the CLI to JavaScript: one ES module bundle of src/ and the npm packages it uses in
// dist/ (code split where the sources import lazily), with source maps so stack traces name .ts
// lines. Bundling the packages too spares start-up thousands of file lookups and module
// compilations (issue 13). `npm ci` runs it (prepare); bin/portico.cjs runs what it writes.
import { build } from 'esbuild';
import { bundleOptions, childEntryPoints } from './bundle-options.js';
import { execFileSync } from 'node:child_process';
import { copyFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

// Written beside dist/ and swapped in by two renames, so a portico starting meanwhile (a test,
// while `npm link` rebuilds) finds the old build or the new one, never a half-written one.
const dist = new URL('../dist/', import.meta.url).pathname;
const outdir = new URL(`../dist.next-${process.pid}/`, import.meta.url).pathname;
const old = new URL(`../dist.old-${process.pid}/`, import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: new URL('../src/cli/main.ts', import.meta.url).pathname, ...childEntryPoints },
  outdir,
  ...bundleOptions,
  // The maps point at the sources (kept beside dist/), without copying them.
  sourcemap: true,
  sourcesContent: false,
});
// Files the sources read beside themselves (new URL('./<file>', import.meta.url)): every chunk
// sits in dist/, so they go there.
for (const asset of ['src/agent/inspector/inspector.html'])
  copyFileSync(new URL(`../${asset}`, import.meta.url), new URL(asset.split('/').pop(), new URL(outdir, 'file:')));
// `portico --help`, as the built CLI prints it (at a fixed width): bin/portico.cjs prints this file
// for `portico --help`, `-h` and `help`, sparing them the CLI's start-up.
writeFileSync(`${outdir}help.txt`, execFileSync(process.execPath, [`${outdir}main.js`, '--help']));
try {
  renameSync(dist, old);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
renameSync(outdir, dist);
rmSync(old, { recursive: true, force: true });
