// How Portico's code is bundled, shared by the CLI build (scripts/build.js) and the bench's
// child processes (bench/bundle.ts), so the bench measures what users run.
/**
 * Entry points every bundle has beside its own, by the name of the file they become: the
 * processes Portico's code starts itself (src/config/certificates/signing/signer.ts finds its child by this
 * name, beside its chunk).
 */
export const childEntryPoints = {
  'certificate-signer': new URL('../src/config/certificates/signing/child.ts', import.meta.url).pathname,
};

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
  // Smaller files compile faster. Identifiers keep their names, so functions and classes keep
  // theirs (stack traces, packages that read constructor.name) without esbuild's keepNames,
  // which redefines the name of every function as it is created: that cost the traffic path
  // 10-15% of its CPU (issue 13). Start time is the same either way (measured).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
