import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  routeModules,
  tcpEdgeModules,
  tlsEdgeModules,
  httpsEdgeModules,
} from '../../src/api/resources/edges/modules/index.ts';
import { apiClient, apiFetch } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';

test('every module accepts {"enabled": false} and nothing else (what the Go and Python clients send)', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await ngrok.reservedDomains.create({ domain: 'off.example.test', region: 'local' });
  await ngrok.reservedDomains.create({ domain: 'tls-off.example.test', region: 'local' });
  const https = await ngrok.edges.edgesHttps.create({ hostports: ['off.example.test:443'] });
  const route = await ngrok.edges.edgesHttpsRoutes.create({ edgeId: https.id, matchType: 'path_prefix', match: '/' });
  const tls = await ngrok.edges.edgesTls.create({ hostports: ['tls-off.example.test:443'] });
  const tcp = await ngrok.edges.edgesTcp.create({});

  const owners: Array<[string, readonly { name: string }[]]> = [
    [`/edges/https/${https.id}/routes/${route.id}`, routeModules],
    [`/edges/https/${https.id}`, httpsEdgeModules],
    [`/edges/tls/${tls.id}`, tlsEdgeModules],
    [`/edges/tcp/${tcp.id}`, tcpEdgeModules],
  ];
  const refused: string[] = [];
  for (const [path, modules] of owners) {
    for (const { name } of modules) {
      const put = await apiFetch(edge, 'PUT', `${path}/${name}`, { enabled: false });
      if (put.status !== 200) {
        refused.push(`${path}/${name}: ${put.status} ${String(put.body.msg)}`);
        continue;
      }
      assert.equal(put.body.enabled, false, `${path}/${name}`);
      const got = await apiFetch(edge, 'GET', `${path}/${name}`);
      assert.equal(got.body.enabled, false, `${path}/${name}`);
    }
  }
  assert.deepEqual(refused, []);
  // Disabled modules also pass inside a create body.
  const route2 = await apiFetch(edge, 'POST', `/edges/https/${https.id}/routes`, {
    match_type: 'path_prefix',
    match: '/two',
    backend: { enabled: false },
    ip_restriction: { enabled: false },
    oidc: { enabled: false },
    oauth: { enabled: false },
    saml: { enabled: false },
    webhook_verification: { enabled: false },
  });
  assert.equal(route2.status, 201, JSON.stringify(route2.body));
});
