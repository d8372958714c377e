import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch } from '../../support/api.ts';
import { startTestEdge, type TestEdge } from '../../support/edge.ts';
import { eventually, sleep } from '../../support/services.ts';
import { deliveryOf, subscribe } from './subscribe.ts';
import { startAzureStandIn } from './azure-standin.ts';

const app = { tenantId: 'contoso.onmicrosoft.com', clientId: '6a1b2c3d-app', clientSecret: 'entra-app-secret-value' };
const target = {
  tenant_id: app.tenantId,
  client_id: app.clientId,
  client_secret: app.clientSecret,
  logs_ingestion_uri: 'https://portico-a1b2.westeurope-1.ingest.monitor.azure.com',
  data_collection_rule_id: 'dcr-00112233445566778899aabbccddeeff',
  data_collection_stream_name: 'Custom-PorticoEvents_CL',
};

/** Creates the Azure destination of `target` and subscribes it; resolves with its id. */
async function subscribedAzure(edge: TestEdge): Promise<string> {
  const created = await apiFetch(edge, 'POST', '/event_destinations', {
    format: 'json',
    target: { azure_logs_ingestion: target },
  });
  const id = String(created.body.id);
  await subscribe(edge, id);
  return id;
}

test('azure_logs_ingestion destination: signed in with client credentials (oidc-provider), events uploaded to the rule stream with TimeGenerated', async (t) => {
  const azure = await startAzureStandIn(t, app);
  // The first upload is answered 503: the batch is retried with the same token.
  let answers = 0;
  azure.answer = () => (answers++ === 0 ? 503 : 204);
  const edge = await startTestEdge(t, {
    config: {
      events: {
        azure: { loginUrl: azure.loginUrl, ingestionUrl: azure.ingestionUrl },
        limits: { retryBaseMs: 20 },
      },
    },
  });
  const ngrok = apiClient(edge);
  const created = await apiFetch(edge, 'POST', '/event_destinations', {
    format: 'json',
    target: { azure_logs_ingestion: target },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.config_error, undefined);
  const id = String(created.body.id);
  await subscribe(edge, id, ['ip_policy_created.v0', 'ip_policy_updated.v0']);
  const policy = await ngrok.ipPolicies.create({ description: 'to azure' });
  await eventually(() => deliveryOf(edge, id).delivered === 1, 10_000, 'the first event delivered');
  await ngrok.ipPolicies.update({ id: policy.id, description: 'to azure, again' });
  await eventually(() => deliveryOf(edge, id).delivered === 2, 10_000, 'the second event delivered');

  assert.deepEqual(
    azure.uploads.map((u) => [u.authorized, u.status]),
    [
      [true, 503],
      [true, 204],
      [true, 204],
    ],
  );
  assert.equal(azure.tokensIssued, 1, 'one token while it lasts');
  for (const upload of azure.uploads)
    assert.equal(
      upload.path,
      '/dataCollectionRules/dcr-00112233445566778899aabbccddeeff/streams/Custom-PorticoEvents_CL?api-version=2023-01-01',
    );
  const records = azure.uploads.slice(1).flatMap((u) => u.records);
  assert.deepEqual(
    records.map((r) => `${r.event_type as string} ${(r.object as { id: string }).id}`),
    [`ip_policy_created.v0 ${policy.id}`, `ip_policy_updated.v0 ${policy.id}`],
  );
  for (const record of records) {
    assert.equal(Object.keys(record)[0], 'TimeGenerated');
    assert.equal(record.TimeGenerated, record.event_timestamp);
  }
  assert.deepEqual(azure.uploads[0]!.records, azure.uploads[1]!.records, 'the retry sends the same events');
});

test('azure_logs_ingestion: a token the API no longer takes (401) is renewed on the retry', async (t) => {
  const azure = await startAzureStandIn(t, app);
  let answers = 0;
  azure.answer = () => (answers++ === 0 ? 401 : 204);
  const edge = await startTestEdge(t, {
    config: {
      events: { azure: { loginUrl: azure.loginUrl, ingestionUrl: azure.ingestionUrl }, limits: { retryBaseMs: 20 } },
    },
  });
  const ngrok = apiClient(edge);
  const id = await subscribedAzure(edge);
  await ngrok.ipPolicies.create({ description: 'to azure' });
  await eventually(() => deliveryOf(edge, id).delivered === 1, 10_000, 'the event delivered');
  assert.equal(azure.tokensIssued, 2);
  assert.deepEqual(
    azure.uploads.map((u) => u.status),
    [401, 204],
  );
});

test('azure_logs_ingestion across an idle period longer than the endpoint keep-alive: delivered first time on a new connection, the token kept', async (t) => {
  const azure = await startAzureStandIn(t, app);
  azure.ingestion.keepAliveTimeout = 150;
  const edge = await startTestEdge(t, {
    config: { events: { azure: { loginUrl: azure.loginUrl, ingestionUrl: azure.ingestionUrl } } },
  });
  const ngrok = apiClient(edge);
  const id = await subscribedAzure(edge);
  await ngrok.ipPolicies.create({ description: 'before the idle period' });
  await eventually(() => deliveryOf(edge, id).delivered === 1, 10_000, 'the first event delivered');
  await sleep(600); // four times the endpoint's keep-alive
  await ngrok.ipPolicies.create({ description: 'after it' });
  await eventually(() => deliveryOf(edge, id).delivered === 2, 10_000, 'the second event delivered');
  assert.equal(deliveryOf(edge, id).retries, 0);
  assert.equal(azure.connections, 2);
  assert.equal(azure.tokensIssued, 1);
});

test('azure_logs_ingestion: a client secret Entra refuses fails the sign-in, named in the error; the batch is dropped', async (t) => {
  const azure = await startAzureStandIn(t, app);
  const edge = await startTestEdge(t, {
    config: {
      events: {
        azure: { loginUrl: azure.loginUrl, ingestionUrl: azure.ingestionUrl },
        limits: { retryBaseMs: 10, retryMaxMs: 20, maxAttempts: 2 },
      },
    },
  });
  const ngrok = apiClient(edge);
  const created = await apiFetch(edge, 'POST', '/event_destinations', {
    format: 'json',
    target: { azure_logs_ingestion: { ...target, client_secret: 'not-the-secret' } },
  });
  const id = String(created.body.id);
  await subscribe(edge, id);
  await ngrok.ipPolicies.create({ description: 'refused' });
  await eventually(() => deliveryOf(edge, id).dropped === 1, 10_000, 'the event dropped');
  assert.equal(azure.uploads.length, 0);
  assert.match(
    String(deliveryOf(edge, id).lastError),
    /^Microsoft Entra sign-in of 6a1b2c3d-app \(tenant contoso\.onmicrosoft\.com\): .*invalid_client/,
  );
});

test('azure_logs_ingestion: the endpoint must be an Azure Monitor one; ids must be path-safe', async (t) => {
  const edge = await startTestEdge(t);
  const post = (changes: Record<string, string>) =>
    apiFetch(edge, 'POST', '/event_destinations', {
      format: 'json',
      target: { azure_logs_ingestion: { ...target, ...changes } },
    });
  for (const [changes, message] of [
    [{ logs_ingestion_uri: 'https://logs.example.com' }, /is not an Azure Monitor logs ingestion endpoint/],
    [
      { logs_ingestion_uri: 'http://portico.westeurope-1.ingest.monitor.azure.com' },
      /an https URL under monitor\.azure\.com/,
    ],
    [{ data_collection_stream_name: 'Custom-X/../Y' }, /data_collection_stream_name: .*not an Azure stream name/],
    [{ tenant_id: 'contoso/tenant' }, /tenant_id: .*not an Azure tenant id/],
  ] as const) {
    const refused = await post(changes);
    assert.deepEqual([refused.status, refused.body.error_code], [400, 'ERR_NGROK_236'], JSON.stringify(changes));
    assert.match(String(refused.body.msg), message);
  }
  for (const uri of [
    'https://portico.usgovvirginia-1.ingest.monitor.azure.us',
    'https://portico.chinanorth3-1.ingest.monitor.azure.cn/',
  ])
    assert.equal((await post({ logs_ingestion_uri: uri })).status, 201, uri);
});
