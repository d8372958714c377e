// The API runs the configuration layer's compile before every configuration write, so what the
// data plane could not serve is refused on the write, with a 400 naming the field, through the
// official API client, and nothing is stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';
import { asMap, fixtures } from './edges-fixtures.ts';

/** Matches a client rejection: 400, the code, and a message naming the field. */
const refused = (code: string, field: RegExp) => (e: { statusCode?: number; errorCode?: string; msg?: string }) =>
  e.statusCode === 400 && e.errorCode === code && field.test(e.msg ?? '');

test('a route to a backend that does not exist, a module naming a missing IP policy, and mutual TLS on a TLS edge passing through are refused on the write', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { backendId, caId } = await fixtures(edge, ngrok);
  const https = await ngrok.edges.edgesHttps.create({ description: 'dry run' });
  const routes = ngrok.edges.edgesHttpsRoutes;

  await assert.rejects(
    routes.create({
      edgeId: https.id,
      matchType: 'path_prefix',
      match: '/',
      backend: { backendId: 'bkdtg_0000000000zzzzzzzzzzzzzzzzz' },
    }),
    refused('ERR_NGROK_242', /backend\.backend_id: bkdtg_0000000000zzzzzzzzzzzzzzzzz does not exist/),
  );
  await assert.rejects(
    routes.create({
      edgeId: https.id,
      matchType: 'path_prefix',
      match: '/',
      ipRestriction: { ipPolicyIds: ['ipp_0000000000zzzzzzzzzzzzzzzzz'] },
    }),
    refused('ERR_NGROK_1607', /ip_restriction\.ip_policy_ids\[0\]: ipp_0000000000zzzzzzzzzzzzzzzzz does not exist/),
  );
  assert.deepEqual((await ngrok.edges.edgesHttps.get(https.id)).routes, [], 'nothing was stored');

  await assert.rejects(
    ngrok.edges.edgesTls.create({
      backend: { backendId },
      tlsTermination: { terminateAt: 'upstream' },
      mutualTls: { certificateAuthorityIds: [caId] },
    }),
    refused('ERR_NGROK_1694', /^mutual_tls: /),
  );
  // The same through a module path: PUT mutual_tls on a passthrough TLS edge.
  const tls = await ngrok.edges.edgesTls.create({
    backend: { backendId },
    tlsTermination: { terminateAt: 'upstream' },
  });
  const put = await apiFetch(edge, 'PUT', `/edges/tls/${tls.id}/mutual_tls`, { certificate_authority_ids: [caId] });
  assert.equal(put.status, 400);
  assert.equal(put.body.error_code, 'ERR_NGROK_1694');
  assert.deepEqual(put.body.details, {
    field: 'mutual_tls',
    operation_id: (put.body.details as { operation_id: string }).operation_id,
    portico_code: 'ERR_MUTUAL_TLS_NEEDS_TERMINATION',
  });
  assert.equal((await ngrok.edges.edgesTls.get(tls.id)).mutualTls, null);
  assert.equal(
    (await apiFetch(edge, 'GET', `/edges/tls/${tls.id}`)).body.config_error,
    undefined,
    'no config_error: the edge serves what was stored',
  );
});

test('a write that would break another record is refused, naming it: an HTTP response backend put under a TCP edge, a cycle', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const response = await ngrok.backends.httpResponseBackends.create({
    body: 'hi',
    headers: asMap({}),
    statusCode: 200,
  });
  const tunnels = await ngrok.backends.tunnelGroupBackends.create({ labels: asMap({ app: 'x' }) });
  const failover = await ngrok.backends.failoverBackends.create({ backends: [tunnels.id] });
  await ngrok.edges.edgesTcp.create({ backend: { backendId: failover.id } });
  // Adding the HTTP response backend to the failover would put it under a TCP edge.
  await assert.rejects(
    ngrok.backends.failoverBackends.update({ id: failover.id, backends: [tunnels.id, response.id] }),
    refused('ERR_BACKEND_NOT_FOR_CONNECTIONS', /would leave edgtcp_\w+ unable to compile: backend\.backend_id/),
  );
  const outer = await ngrok.backends.failoverBackends.create({ backends: [failover.id] });
  await assert.rejects(
    ngrok.backends.failoverBackends.update({ id: failover.id, backends: [outer.id] }),
    refused('ERR_BACKEND_CYCLE', /backends\[0\]/),
  );
  assert.deepEqual((await ngrok.backends.failoverBackends.get(failover.id)).backends, [tunnels.id]);
});
