import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dirname, join, normalize } from 'node:path';
import { productFiles } from './layers.ts';

const repo = new URL('../../', import.meta.url).pathname;

/** Every `import`/`export … from '<spec>'` that brings values (not `type`), as [importer, resolved target]. */
function valueImports(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const file of productFiles(repo)) {
    for (const m of file.text.matchAll(
      /^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gms,
    )) {
      const spec = (m[1] ?? m[2])!;
      out.push([file.path, spec.startsWith('.') ? normalize(join(dirname(file.path), spec)) : spec]);
    }
  }
  return out;
}

function importersOf(target: string): string[] {
  return valueImports()
    .filter(([, to]) => to === target)
    .map(([from]) => from)
    .sort();
}

test('the certificate tooling stays out of the edge: the signing process makes certificates, uploads parse them on first use', () => {
  // The package itself: the signing process's certificate maker, and the fields read from uploads.
  assert.deepEqual(importersOf('@peculiar/x509'), [
    'src/config/certificates/certificate-fields.ts',
    'src/config/certificates/signing/x509.ts',
  ]);
  assert.deepEqual(importersOf('src/config/certificates/signing/x509.ts'), [
    'src/config/certificates/signing/child.ts',
  ]);
  assert.deepEqual(importersOf('src/config/certificates/signing/child.ts'), []);
  // What reads an upload's fields is imported with `await import(…)` where an upload is handled.
  assert.deepEqual(importersOf('src/config/certificates/certificate-fields.ts'), [
    'src/config/documents/tls-certificate-from-pem.ts',
  ]);
  assert.deepEqual(importersOf('src/config/documents/tls-certificate-from-pem.ts'), []);
});
