import { createRequire } from 'node:module';

/**
 * npm packages loaded on first use rather than at start (issue 13: a lean, fast start). In the
 * built CLI a CommonJS package imported this way arrives as `{ default: module.exports }`,
 * while run from the sources Node also offers its named exports: `probe`, one export the
 * package must have, tells the two apart so both give the package itself.
 */
export function onFirstUse<T extends object>(load: () => Promise<T>, probe: keyof T): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().then((namespace) =>
      probe in namespace ? namespace : (namespace as unknown as { default: T }).default,
    ));
}

const requirePackage = createRequire(import.meta.url);

/**
 * A package loaded the first time `get()` is called, synchronously, for code that cannot wait
 * for an import (a configuration compile, a logger being made). It is `require`d from
 * node_modules, so the built CLI does not carry it in its bundle.
 */
export function requireOnFirstUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requirePackage(name) as T);
}
