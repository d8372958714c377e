import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch } from '../support/api.ts';
import { httpResponseBackend, tunnelGroupBackend } from '../support/edges.ts';
import { startTestEdge } from '../support/edge.ts';

test('a configuration the data plane cannot compile is refused on the write; one stored some other way is reported through the API and the previous version stays live', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const group = await tunnelGroupBackend(ngrok, { app: 'tcp' });
  const tcpEdge = await ngrok.edges.edgesTcp.create({ backend: { backendId: group } });
  const page = await httpResponseBackend(ngrok, 'not for tcp');
  const put = await apiFetch(edge, 'PUT', `/edges/tcp/${tcpEdge.id}/backend`, { backend_id: page });
  assert.equal(put.status, 400);
  assert.equal(put.body.error_code, 'ERR_BACKEND_NOT_FOR_CONNECTIONS');
  assert.match(String(put.body.msg), /^backend\.backend_id: .*HTTP response backend/);

  // A document written straight to the store (an older version, a hand edit) bypasses the check:
  // the data plane keeps the last good version and says why on reads.
  const stored = (await edge.store.resources.get(edge.credentials.accountId, 'tcp_edge', tcpEdge.id))!;
  await edge.store.resources.update(stored.account_id, 'tcp_edge', stored.id, {
    ...stored.doc,
    backend: { enabled: true, backend_id: page },
  });
  await edge.snapshots.settled();
  const read = await apiFetch(edge, 'GET', `/edges/tcp/${tcpEdge.id}`);
  assert.match(String(read.body.config_error), /HTTP response backend/);
  const port = Number(tcpEdge.hostports![0]!.split(':')[1]);
  assert.equal(
    edge.snapshots.current.tcpPorts.get(port)?.backend?.kind,
    'tunnel_group',
    'the previous version stays live',
  );
});
