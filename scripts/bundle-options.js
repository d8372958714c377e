// How Portico's code is bundled, shared by the CLI build (scripts/build.js) and the bench's
// child processes (bench/bundle.ts), so the bench measures what users run.
/** @type {import('esbuild').BuildOptions} */
export const bundleOptions = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Native addons (and the PostgreSQL driver, which looks for one) load from node_modules.
  external: ['better-sqlite3', 'better-sqlite3-napi', 'pg', 'pg-native'],
  // Packages written as CommonJS call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __porticoRequire } from 'node:module'; const require = __porticoRequire(import.meta.url);",
  },
  // Smaller files compile faster; names are kept for stack traces.
  minify: true,
  keepNames: true,
  logLevel: 'warning',
};
