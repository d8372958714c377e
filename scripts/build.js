// Builds the CLI to JavaScript: one ES module bundle of src/ in dist/ (code split where the
// sources import lazily), npm packages left as imports, with source maps so stack traces name
// .ts lines. `npm ci` runs it (prepare); bin/portico.js runs what it writes. About a second.
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';

const outdir = new URL('../dist/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: new URL('../src/cli/main.ts', import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
// Files the sources read beside themselves (new URL('./<file>', import.meta.url)): every chunk
// sits in dist/, so they go there.
for (const asset of ['src/agent/inspector/inspector.html'])
  copyFileSync(new URL(`../${asset}`, import.meta.url), new URL(asset.split('/').pop(), new URL(outdir, 'file:')));
