import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedImports, layerViolations, productFiles } from './layers.ts';

const repo = new URL('../../', import.meta.url).pathname;

test('the check catches the data plane importing the API, and the API importing the data plane', () => {
  const files = [
    { path: 'src/edge/proxy/x.ts', text: "import { createApi } from '../../api/server.ts';" },
    { path: 'src/api/resources/y.ts', text: "import type { TunnelRegistry } from '../../edge/tunnels/registry.ts';" },
    { path: 'src/api/resources/z.ts', text: "import { hostname } from '../../config/names/hostname.ts';" },
  ];
  assert.deepEqual(layerViolations(files), [
    'src/edge/proxy/x.ts → src/api/server.ts (edge may not import api)',
    'src/api/resources/y.ts → src/edge/tunnels/registry.ts (api may not import edge)',
  ]);
});

test('every import in src/ follows the layers: the API and the data plane meet only in src/config', () => {
  assert.deepEqual(layerViolations(productFiles(repo)), []);
  assert.ok(!allowedImports.edge!.includes('api') && !allowedImports.api!.includes('edge'));
  assert.ok(!allowedImports.config!.includes('edge') && !allowedImports.config!.includes('api'));
});

test('prom-client is imported in src/metrics only: the data plane counts through narrow hooks', () => {
  const strays = productFiles(repo).filter(
    (f) => !f.path.startsWith('src/metrics/') && /from\s+['"]prom-client['"]/.test(f.text),
  );
  assert.deepEqual(
    strays.map((f) => f.path),
    [],
  );
  assert.ok(!allowedImports.edge!.includes('metrics'));
});
