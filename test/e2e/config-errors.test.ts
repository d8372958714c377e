import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch } from '../support/api.ts';
import { staticBackend } from '../support/edges.ts';
import { startTestEdge } from '../support/edge.ts';

test('a configuration the data plane cannot compile is reported through the API; the previous version stays live', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const tcpEdge = await ngrok.edges.edgesTcp.create({});
  const page = await staticBackend(ngrok, 'not for tcp');
  const put = await apiFetch(edge, 'PUT', `/edges/tcp/${tcpEdge.id}/backend`, { backend_id: page });
  assert.equal(put.status, 200);
  await edge.snapshots.settled();
  const read = await apiFetch(edge, 'GET', `/edges/tcp/${tcpEdge.id}`);
  assert.match(String(read.body.config_error), /HTTP response backend/);
});
