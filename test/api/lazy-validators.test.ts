// Route schemas compile on first use (src/api/lazy-validators.ts): every one must still compile,
// and a request is still refused by its schema with the same error as before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiDeps } from '../../src/api/context.ts';
import { compileAllValidators, createApi } from '../../src/api/server.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { apiFetch } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';

test('every route schema compiles; a body its schema refuses answers 400 with a code', async (t) => {
  const edge = await startTestEdge(t);
  // Registering routes reads no deps, so a partial set is enough (as in openapi.test.ts).
  const deps: Partial<ApiDeps> = {
    store: edge.store,
    live: edge.registry,
    domain: 'localhost',
    region: 'local',
    tcpHost: 'localhost',
    logger: silentLogger,
  };
  const api = await createApi(deps as ApiDeps);
  try {
    compileAllValidators(api);
  } finally {
    await api.close();
  }

  const res = await apiFetch(edge, 'POST', '/ip_policy_rules', { cidr: 42, ip_policy_id: 'ipp_x', action: 'allow' });
  assert.equal(res.status, 400);
  assert.match(String(res.body.error_code), /^ERR_/);
  assert.match(String(res.body.msg), /cidr/);
});
