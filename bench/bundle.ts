/**
 * The bench's child processes bundled to JavaScript the way `npm run build` bundles the CLI
 * (scripts/build.js: one ES module bundle with its packages, minified, names kept), so that the
 * traffic figures and their RSS are those of built code, without tsx's loader in every process.
 * Written under node_modules/.cache so that the native addons resolve from the repository's
 * node_modules, with a package.json beside them for what the sources read from theirs (the version).
 */
import { build } from 'esbuild';
import { bundleOptions, childEntryPoints } from '../scripts/bundle-options.js';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cacheDir = join(root, 'node_modules/.cache/portico-bench');
/** Where the bundles go; children.ts runs `<name>.js` from there. */
export const bundleDir = join(cacheDir, 'children');

/** The children scripts, by the name their bundle gets. */
const entryPoints = {
  'edge-child': 'edge-child.ts',
  'agent-child': 'agent-child.ts',
  'services-child': 'services-child.ts',
  'sessions-child': 'sessions-child.ts',
  'floor-child': 'floor-child.ts',
};

export async function bundleChildren(): Promise<void> {
  // src/version.ts reads ../package.json beside its bundle, as dist/main.js reads the repository's.
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  await mkdir(cacheDir, { recursive: true });
  await writeFile(join(cacheDir, 'package.json'), JSON.stringify({ private: true, type: 'module', version }) + '\n');
  await build({
    entryPoints: {
      ...Object.fromEntries(
        Object.entries(entryPoints).map(([name, file]) => [name, new URL(file, import.meta.url).pathname]),
      ),
      ...childEntryPoints,
    },
    outdir: bundleDir,
    ...bundleOptions,
  });
}
