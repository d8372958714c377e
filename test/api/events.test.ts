import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoreChange } from '../../src/store/changes.ts';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';
import { eventsAtLeast, startReceiver, subscribeReceiver } from '../e2e/events/receiver.ts';

const role = { role: { roleArn: 'arn:aws:iam::123456789012:role/ngrok-events' } };
const kinesis = { kinesis: { auth: role, streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/portico' } };
const firehoseArn = 'arn:aws:firehose:us-east-1:123456789012:deliverystream/portico';
type Failure = { errorCode?: string; statusCode?: number };
const code = (expected: string) => (e: Failure) => e.errorCode === expected;

test('the edge under test uses the store this run asks for', async (t) => {
  const edge = await startTestEdge(t);
  assert.equal(edge.store.engine, process.env.PORTICO_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');
});

test('event destinations through @ngrok/ngrok-api: every target, CRUD, paging, errors, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);

  const dest = await ngrok.eventDestinations.create({
    description: 'stream',
    metadata: '{"a":1}',
    format: 'json',
    target: kinesis,
  });
  assert.match(dest.id, /^ed_[0-9a-z]{27}$/);
  assert.equal(dest.uri, `${edge.bootstrap.api_url}/event_destinations/${dest.id}`);
  assert.equal(dest.format, 'json');
  // The role shows the external id the edge assumes it with (a Portico extension): the account's id.
  const shownRole = { ...role.role, externalId: edge.credentials.accountId };
  assert.deepEqual(dest.target, {
    kinesis: { auth: { role: shownRole, creds: null }, streamArn: kinesis.kinesis.streamArn },
    firehose: null,
    cloudwatchLogs: null,
    datadog: null,
    azureLogsIngestion: null,
  });
  assert.deepEqual(await ngrok.eventDestinations.get(dest.id), dest);
  // It cannot be chosen: sent back as it was read it is accepted, another value is refused.
  const withExternalId = (externalId: string) =>
    apiFetch(edge, 'POST', '/event_destinations', {
      format: 'json',
      target: {
        kinesis: {
          auth: { role: { role_arn: role.role.roleArn, external_id: externalId } },
          stream_arn: kinesis.kinesis.streamArn,
        },
      },
    });
  const echoed = await withExternalId(edge.credentials.accountId);
  assert.equal(echoed.status, 201);
  await ngrok.eventDestinations.delete(String(echoed.body.id));
  const chosen = await withExternalId('my-own-external-id');
  assert.equal(chosen.body.error_code, 'ERR_NGROK_240');
  assert.match(
    String(chosen.body.msg),
    new RegExp(
      `target\\.kinesis\\.auth\\.role\\.external_id: .*"${edge.credentials.accountId}", as the external id; leave external_id out`,
    ),
  );
  // Portico delivers to AWS: no config_error (a Portico extension ngrok's clients keep).
  assert.equal((dest as unknown as { configError?: string }).configError, undefined);

  // AWS secrets and the Datadog API key are write-only: present in reads (clients read them by key), empty.
  const firehose = await ngrok.eventDestinations.create({
    format: 'JSON',
    target: {
      firehose: {
        auth: { creds: { awsAccessKeyId: 'AKIAEXAMPLE', awsSecretAccessKey: 's3cr3t' } },
        deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/x',
      },
    },
  });
  assert.deepEqual(firehose.target.firehose?.auth, {
    role: null,
    creds: { awsAccessKeyId: 'AKIAEXAMPLE', awsSecretAccessKey: '' },
  });
  const logs = await ngrok.eventDestinations.create({
    format: 'json',
    target: { cloudwatchLogs: { auth: role, logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:portico' } },
  });
  assert.equal(logs.target.cloudwatchLogs?.logGroupArn, 'arn:aws:logs:us-east-1:123456789012:log-group:portico');
  const dd = await ngrok.eventDestinations.create({
    format: 'json',
    target: { datadog: { apiKey: 'dd-key', ddtags: 'env:test', service: 'edge', ddsite: 'datadoghq.eu' } },
  });
  assert.deepEqual(dd.target.datadog, { apiKey: '', ddtags: 'env:test', service: 'edge', ddsite: 'datadoghq.eu' });
  // Azure Logs Ingestion (newer clients): accepted, its secret sealed.
  const azureTarget = {
    tenant_id: 'tenant',
    client_id: 'client',
    client_secret: 'azure-s3cr3t',
    logs_ingestion_uri: 'https://portico.westeurope-1.ingest.monitor.azure.com',
    data_collection_rule_id: 'dcr-0123',
    data_collection_stream_name: 'Custom-Portico',
  };
  const azure = await apiFetch(edge, 'POST', '/event_destinations', {
    format: 'json',
    target: { azure_logs_ingestion: azureTarget },
  });
  assert.equal(azure.status, 201, JSON.stringify(azure.body));
  assert.deepEqual((azure.body.target as Record<string, unknown>).azure_logs_ingestion, {
    ...azureTarget,
    client_secret: '',
  });
  assert.equal(azure.body.config_error, undefined);
  const azureStored = JSON.stringify(
    (await edge.store.resources.getAnyKind(edge.credentials.accountId, String(azure.body.id)))?.doc,
  );
  assert.ok(!azureStored.includes('azure-s3cr3t'), azureStored);
  const noUri = await apiFetch(edge, 'POST', '/event_destinations', {
    target: { azure_logs_ingestion: { ...azureTarget, logs_ingestion_uri: '' } },
  });
  assert.equal(noUri.status, 400);
  assert.equal(noUri.body.error_code, 'ERR_NGROK_236');
  await apiFetch(edge, 'DELETE', `/event_destinations/${String(azure.body.id)}`);
  // …and encrypted at rest: the stored documents hold neither secret in plaintext.
  for (const id of [firehose.id, dd.id]) {
    const stored = JSON.stringify((await edge.store.resources.getAnyKind(edge.credentials.accountId, id))?.doc);
    assert.ok(stored && !stored.includes('s3cr3t') && !stored.includes('dd-key'), stored);
  }
  const http = await apiFetch(edge, 'POST', '/event_destinations', {
    format: 'json',
    target: { http: { url: 'https://hooks.example.test/portico', secret: 'a-signing-secret-16+' } },
  });
  assert.equal(http.status, 201);
  assert.deepEqual((http.body.target as Record<string, unknown>).http, { url: 'https://hooks.example.test/portico' });
  assert.equal((http.body.target as Record<string, unknown>).kinesis, null);

  const all = [dest.id, firehose.id, logs.id, dd.id, String(http.body.id)];
  assert.deepEqual(
    (await ngrok.eventDestinations.list(undefined, '2')).map((d) => d.id),
    [...all].reverse(),
  );
  const page = await apiFetch(edge, 'GET', '/event_destinations?limit=2');
  assert.equal((page.body.event_destinations as unknown[]).length, 2);
  assert.match(String(page.body.next_page_uri), /before_id=ed_/);

  const updated = await ngrok.eventDestinations.update({
    id: dest.id,
    description: 'moved',
    target: { datadog: { apiKey: 'k2' } },
  });
  assert.equal(updated.description, 'moved');
  assert.equal(updated.metadata, '{"a":1}', 'absent fields are unchanged');
  assert.equal(updated.target.kinesis, null);
  assert.deepEqual(updated.target.datadog, { apiKey: '', ddtags: '', service: '', ddsite: '' });

  // Errors: format 235, target 236, auth 240; unknown id 404; other accounts see nothing.
  const post = (body: unknown) => apiFetch(edge, 'POST', '/event_destinations', body);
  assert.equal((await post({ format: 'xml', target: kinesis })).body.error_code, 'ERR_NGROK_235');
  assert.equal((await post({ format: 'json' })).body.error_code, 'ERR_NGROK_236');
  assert.equal((await post({ format: 'json', target: {} })).body.error_code, 'ERR_NGROK_236');
  assert.equal(
    (
      await post({
        format: 'json',
        target: {
          kinesis: { auth: { role: { role_arn: 'arn:x' } }, stream_arn: 'arn:y' },
          http: { url: 'http://x.test', secret: 'a-signing-secret-16+' },
        },
      })
    ).body.error_code,
    'ERR_NGROK_236',
  );
  assert.equal(
    (await post({ format: 'json', target: { s3: { bucket_arn: 'arn:aws:s3:::b' } } })).body.error_code,
    'ERR_NGROK_236',
  );
  assert.equal(
    (
      await post({
        format: 'json',
        target: { kinesis: { auth: { role: { role_arn: 'arn:x' } }, stream_arn: 'stream' } },
      })
    ).body.error_code,
    'ERR_NGROK_236',
  );
  assert.equal(
    (await post({ format: 'json', target: { http: { url: 'ftp://files.test/' } } })).body.error_code,
    'ERR_NGROK_236',
  );
  assert.equal(
    (await post({ format: 'json', target: { http: { url: 'not a url' } } })).body.error_code,
    'ERR_NGROK_236',
  );
  assert.equal((await post({ format: 'json', target: { datadog: { ddtags: 'x' } } })).body.error_code, 'ERR_NGROK_236');
  const both = await post({
    format: 'json',
    target: {
      kinesis: {
        auth: { role: { role_arn: 'arn:x' }, creds: { aws_access_key_id: 'a', aws_secret_access_key: 'b' } },
        stream_arn: kinesis.kinesis.streamArn,
      },
    },
  });
  assert.equal(both.status, 400);
  assert.equal(both.body.error_code, 'ERR_NGROK_240');
  assert.match(String(both.body.msg), /target\.kinesis\.auth/);
  assert.equal(
    (await post({ format: 'json', target: { firehose: { auth: {}, delivery_stream_arn: firehoseArn } } })).body
      .error_code,
    'ERR_NGROK_240',
  );
  assert.equal(
    (
      await post({
        format: 'json',
        target: { firehose: { auth: { creds: { aws_access_key_id: 'a' } }, delivery_stream_arn: firehoseArn } },
      })
    ).body.error_code,
    'ERR_NGROK_240',
  );
  // ARNs are read: the service, region and resource each field must name (the senders take the
  // region and the name from them).
  const roleAuth = { role: { role_arn: role.role.roleArn } };
  const arnRefusals: Array<[Record<string, unknown>, string, RegExp]> = [
    [
      {
        kinesis: {
          auth: roleAuth,
          stream_arn: 'arn:aws:sqs:us-east-1:123456789012:q',
        },
      },
      'ERR_NGROK_236',
      /target\.kinesis\.stream_arn: .*an ARN of sqs, not kinesis/,
    ],
    [
      {
        kinesis: {
          auth: roleAuth,
          stream_arn: 'arn:aws:kinesis::123456789012:stream/s',
        },
      },
      'ERR_NGROK_236',
      /no region/,
    ],
    [
      {
        firehose: {
          auth: roleAuth,
          delivery_stream_arn: 'arn:aws:firehose:us-east-1:123456789012:stream/s',
        },
      },
      'ERR_NGROK_236',
      /deliverystream\/<name>/,
    ],
    [
      {
        cloudwatch_logs: {
          auth: roleAuth,
          log_group_arn: 'arn:aws:logs:us-east-1:12345:log-group:g',
        },
      },
      'ERR_NGROK_236',
      /is not an AWS ARN/,
    ],
    [
      {
        kinesis: {
          auth: { role: { role_arn: 'arn:aws:iam::123456789012:user/events' } },
          stream_arn: kinesis.kinesis.streamArn,
        },
      },
      'ERR_NGROK_240',
      /target\.kinesis\.auth\.role\.role_arn: .*role\/<name>/,
    ],
    [
      {
        kinesis: {
          auth: { role: { role_arn: 'arn:aws:iam:us-east-1:123456789012:role/events' } },
          stream_arn: kinesis.kinesis.streamArn,
        },
      },
      'ERR_NGROK_240',
      /region "us-east-1"/,
    ],
  ];
  for (const [target, errorCode, message] of arnRefusals) {
    const refused = await post({ format: 'json', target });
    assert.deepEqual([refused.status, refused.body.error_code], [400, errorCode], JSON.stringify(target));
    assert.match(String(refused.body.msg), message);
  }
  await assert.rejects(ngrok.eventDestinations.update({ id: dest.id, format: 'csv' }), code('ERR_NGROK_235'));
  assert.equal(
    (await post({ description: 'x'.repeat(256), format: 'json', target: kinesis })).body.error_code,
    'ERR_NGROK_420',
  );
  await assert.rejects(
    ngrok.eventDestinations.get('ed_00000000000000000000000000'),
    (e: Failure) => e.statusCode === 404,
  );

  const other = await otherAccount(edge);
  assert.deepEqual(
    (await apiFetch(edge, 'GET', '/event_destinations', undefined, other.apiKey)).body.event_destinations,
    [],
  );
  assert.equal((await apiFetch(edge, 'GET', `/event_destinations/${dest.id}`, undefined, other.apiKey)).status, 404);
  assert.equal(
    (await apiFetch(edge, 'PATCH', `/event_destinations/${dest.id}`, { description: 'x' }, other.apiKey)).status,
    404,
  );
  assert.equal((await apiFetch(edge, 'DELETE', `/event_destinations/${dest.id}`, undefined, other.apiKey)).status, 404);

  for (const id of all) assert.deepEqual(await ngrok.eventDestinations.delete(id), {});
  assert.deepEqual(await ngrok.eventDestinations.list(), []);
});

test('event subscriptions and sources through @ngrok/ngrok-api: CRUD, paging, sources, in-use destinations', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const [d1, d2] = [
    await ngrok.eventDestinations.create({ format: 'json', target: kinesis }),
    await ngrok.eventDestinations.create({ format: 'json', target: kinesis }),
  ];

  const sub = await ngrok.eventSubscriptions.create({
    description: 'policy changes',
    sources: [{ type: 'ip_policy_created.v0' }, { type: 'ip_policy_updated.v0' }, { type: 'ip_policy_created.v0' }],
    destinationIds: [d1.id],
  });
  assert.match(sub.id, /^esb_[0-9a-z]{27}$/);
  const sourceUri = (type: string) => `${edge.bootstrap.api_url}/event_subscriptions/${sub.id}/sources/${type}`;
  assert.deepEqual(sub.sources, [
    { type: 'ip_policy_created.v0', uri: sourceUri('ip_policy_created.v0') },
    { type: 'ip_policy_updated.v0', uri: sourceUri('ip_policy_updated.v0') },
  ]);
  assert.deepEqual(sub.destinations, [{ id: d1.id, uri: d1.uri }]);
  assert.deepEqual(await ngrok.eventSubscriptions.get(sub.id), sub);

  const more = [];
  for (let i = 0; i < 4; i++)
    more.push(
      await ngrok.eventSubscriptions.create({ sources: [{ type: 'http_request_complete.v0' }], destinationIds: [] }),
    );
  assert.deepEqual(
    (await ngrok.eventSubscriptions.list(undefined, '2')).map((s) => s.id),
    [sub.id, ...more.map((s) => s.id)].reverse(),
  );

  const updated = await ngrok.eventSubscriptions.update({ id: sub.id, metadata: 'm', destinationIds: [d2.id, d1.id] });
  assert.deepEqual(
    updated.destinations.map((d) => d.id),
    [d2.id, d1.id],
  );
  assert.equal(updated.sources.length, 2, 'sources unchanged when absent');
  assert.equal(updated.description, 'policy changes');

  // Sources one by one.
  const added = await ngrok.eventSources.create({ subscriptionId: sub.id, type: 'tcp_connection_closed.v0' });
  assert.deepEqual(added, { type: 'tcp_connection_closed.v0', uri: sourceUri('tcp_connection_closed.v0') });
  const listed = await ngrok.eventSources.list({ subscriptionId: sub.id });
  assert.deepEqual(
    listed.sources.map((s) => s.type),
    ['ip_policy_created.v0', 'ip_policy_updated.v0', 'tcp_connection_closed.v0'],
  );
  assert.equal(listed.uri, `${edge.bootstrap.api_url}/event_subscriptions/${sub.id}/sources`);
  assert.deepEqual(await ngrok.eventSources.get({ subscriptionId: sub.id, type: 'ip_policy_updated.v0' }), {
    type: 'ip_policy_updated.v0',
    uri: sourceUri('ip_policy_updated.v0'),
  });
  assert.deepEqual(await ngrok.eventSources.update({ subscriptionId: sub.id, type: 'ip_policy_updated.v0' }), {
    type: 'ip_policy_updated.v0',
    uri: sourceUri('ip_policy_updated.v0'),
  });
  const renamed = await apiFetch(edge, 'PATCH', `/event_subscriptions/${sub.id}/sources/ip_policy_updated.v0`, {
    type: 'ip_policy_deleted.v0',
  });
  assert.equal(renamed.body.type, 'ip_policy_deleted.v0');
  assert.deepEqual(await ngrok.eventSources.delete({ subscriptionId: sub.id, type: 'ip_policy_created.v0' }), {});
  assert.deepEqual(
    (await ngrok.eventSubscriptions.get(sub.id)).sources.map((s) => s.type),
    ['ip_policy_deleted.v0', 'tcp_connection_closed.v0'],
  );
  await assert.rejects(
    ngrok.eventSources.get({ subscriptionId: sub.id, type: 'ip_policy_created.v0' }),
    (e: Failure) => e.statusCode === 404,
  );
  await assert.rejects(
    ngrok.eventSources.create({ subscriptionId: sub.id, type: 'tcp_connection_closed.v0' }),
    code('ERR_NGROK_5127'),
  );
  await assert.rejects(
    ngrok.eventSources.create({ subscriptionId: sub.id, type: 'coffee_brewed.v0' }),
    code('ERR_NGROK_238'),
  );
  await assert.rejects(
    ngrok.eventSources.list({ subscriptionId: 'esb_00000000000000000000000000' }),
    (e: Failure) => e.statusCode === 404,
  );

  // Errors: unknown types and destinations; other accounts.
  await assert.rejects(
    ngrok.eventSubscriptions.create({ sources: [{ type: 'ip_policy_exploded.v0' }], destinationIds: [] }),
    code('ERR_NGROK_238'),
  );
  await assert.rejects(
    ngrok.eventSubscriptions.create({ sources: [], destinationIds: ['ed_00000000000000000000000000'] }),
    code('ERR_NGROK_5103'),
  );
  assert.equal(
    (await apiFetch(edge, 'POST', '/event_subscriptions', { sources: 'all' })).body.error_code,
    'ERR_NGROK_215',
  );
  const other = await otherAccount(edge);
  assert.equal(
    (await apiFetch(edge, 'POST', '/event_subscriptions', { sources: [], destination_ids: [d1.id] }, other.apiKey)).body
      .error_code,
    'ERR_NGROK_5103',
  );
  assert.equal((await apiFetch(edge, 'GET', `/event_subscriptions/${sub.id}`, undefined, other.apiKey)).status, 404);
  assert.equal(
    (await apiFetch(edge, 'GET', `/event_subscriptions/${sub.id}/sources`, undefined, other.apiKey)).status,
    404,
  );
  assert.equal(
    (
      await apiFetch(
        edge,
        'POST',
        `/event_subscriptions/${sub.id}/sources`,
        { type: 'ip_policy_created.v0' },
        other.apiKey,
      )
    ).status,
    404,
  );
  assert.equal(
    (
      await apiFetch(
        edge,
        'DELETE',
        `/event_subscriptions/${sub.id}/sources/tcp_connection_closed.v0`,
        undefined,
        other.apiKey,
      )
    ).status,
    404,
  );

  // A destination in use cannot go; once its subscription is gone, it can.
  await assert.rejects(ngrok.eventDestinations.delete(d1.id), code('ERR_NGROK_27615'));
  assert.deepEqual(await ngrok.eventSubscriptions.delete(sub.id), {});
  await assert.rejects(ngrok.eventSubscriptions.get(sub.id), (e: Failure) => e.statusCode === 404);
  assert.deepEqual(await ngrok.eventDestinations.delete(d1.id), {});
});

test('every API write reaches a change subscriber (as the data plane subscribes), in order', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const seen: StoreChange[] = [];
  edge.store.changes.on('change', (c) => seen.push(c));
  const accountId = (await edge.store.apiKeys.authenticate(edge.credentials.apiKey))!.account.id;

  const policy = await ngrok.ipPolicies.create({ description: 'watched' });
  const dest = await ngrok.eventDestinations.create({ format: 'json', target: kinesis });
  const sub = await ngrok.eventSubscriptions.create({ sources: [], destinationIds: [dest.id] });
  await ngrok.ipPolicies.update({ id: policy.id, description: 'changed' });
  await ngrok.eventSources.create({ subscriptionId: sub.id, type: 'ip_policy_updated.v0' });
  await ngrok.ipPolicies.delete(policy.id);
  await ngrok.eventSubscriptions.delete(sub.id);
  // Refused writes announce nothing.
  await assert.rejects(ngrok.ipPolicies.update({ id: policy.id, description: 'gone' }));
  await assert.rejects(ngrok.eventDestinations.create({ format: 'xml', target: kinesis }));

  const change = (op: StoreChange['op'], kind: string, id: string): StoreChange => ({ op, kind, id, accountId });
  assert.deepEqual(seen, [
    change('created', 'ip_policy', policy.id),
    change('created', 'event_destination', dest.id),
    change('created', 'event_subscription', sub.id),
    change('updated', 'ip_policy', policy.id),
    change('updated', 'event_subscription', sub.id),
    change('deleted', 'ip_policy', policy.id),
    change('deleted', 'event_subscription', sub.id),
  ]);
  // The change arrived before the response: the subscriber can read the committed state.
  assert.equal(await edge.store.resources.get(accountId, 'event_subscription', sub.id), undefined);
});

test('Portico targets (http, file) and source fields for traffic events', async (t) => {
  const edge = await startTestEdge(t);
  const post = (path: string, body: unknown) => apiFetch(edge, 'POST', path, body);

  // http needs a signing secret of 16–256 characters; it is never read back.
  assert.equal(
    (await post('/event_destinations', { target: { http: { url: 'https://h.test/' } } })).body.error_code,
    'ERR_NGROK_236',
  );
  assert.equal(
    (await post('/event_destinations', { target: { http: { url: 'https://h.test/', secret: 'short' } } })).body
      .error_code,
    'ERR_NGROK_236',
  );
  const http = await post('/event_destinations', {
    target: { http: { url: 'https://h.test/', secret: 'sixteen-chars-secret' } },
  });
  assert.deepEqual((http.body.target as Record<string, unknown>).http, { url: 'https://h.test/' });
  assert.equal(http.body.config_error, undefined);
  const stored = JSON.stringify(
    (await edge.store.resources.getAnyKind(edge.credentials.accountId, String(http.body.id)))?.doc,
  );
  assert.ok(!stored.includes('sixteen-chars-secret'), 'the secret is sealed at rest');

  // file: a relative path inside the edge's event file directory, with bounded rotation.
  const file = await post('/event_destinations', { target: { file: { path: 'audit/events.ndjson' } } });
  assert.deepEqual((file.body.target as Record<string, unknown>).file, {
    path: 'audit/events.ndjson',
    max_bytes: 10 * 1024 * 1024,
    max_files: 5,
  });
  for (const bad of [
    { path: '/etc/passwd' },
    { path: '../escape.ndjson' },
    { path: 'a/../../b' },
    { path: 'x.ndjson', max_bytes: 10 },
    { path: 'x.ndjson', max_files: 0 },
    { path: 'x.ndjson', max_files: 1.5 },
  ])
    assert.equal(
      (await post('/event_destinations', { target: { file: bad } })).body.error_code,
      'ERR_NGROK_236',
      JSON.stringify(bad),
    );

  // Fields: traffic events only, and only that event's field names.
  const sub = await post('/event_subscriptions', {
    sources: [
      { type: 'http_request_complete.v0', fields: ['http.request.method', 'edge.route.id', 'http.request.method'] },
    ],
    destination_ids: [String(http.body.id)],
  });
  assert.equal(sub.status, 201);
  const [source] = sub.body.sources as Array<Record<string, unknown>>;
  assert.deepEqual(source!.fields, ['http.request.method', 'edge.route.id']);
  assert.equal(
    (await post('/event_subscriptions', { sources: [{ type: 'ip_policy_created.v0', fields: ['id'] }] })).body
      .error_code,
    'ERR_NGROK_5401',
  );
  assert.equal(
    (await post('/event_subscriptions', { sources: [{ type: 'http_request_complete.v0', fields: ['conn.bytes_in'] }] }))
      .body.error_code,
    'ERR_NGROK_5401',
  );
  const added = await post(`/event_subscriptions/${String(sub.body.id)}/sources`, {
    type: 'tcp_connection_closed.v0',
    fields: ['conn.bytes_in', 'conn.bytes_out'],
  });
  assert.deepEqual(added.body.fields, ['conn.bytes_in', 'conn.bytes_out']);
  const patched = await apiFetch(
    edge,
    'PATCH',
    `/event_subscriptions/${String(sub.body.id)}/sources/tcp_connection_closed.v0`,
    { fields: ['conn.client_ip'] },
  );
  assert.deepEqual(patched.body.fields, ['conn.client_ip']);
});

test('event sources list like every list: filter, limit and before_id (a type), bad filters refused', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const types = ['ip_policy_created.v0', 'ip_policy_updated.v0', 'domain_created.v0', 'tcp_connection_closed.v0'];
  const sub = await ngrok.eventSubscriptions.create({ sources: types.map((type) => ({ type })), destinationIds: [] });
  const base = `/event_subscriptions/${sub.id}/sources`;
  const typesOf = (body: Record<string, unknown>) => (body.sources as Array<{ type: string }>).map((s) => s.type);

  const all = await ngrok.eventSources.list({ subscriptionId: sub.id });
  assert.deepEqual(
    all.sources.map((s) => s.type),
    types,
  );
  const first = await apiFetch(edge, 'GET', `${base}?limit=3`);
  assert.deepEqual(typesOf(first.body), types.slice(0, 3));
  const next = new URL(String(first.body.next_page_uri));
  assert.equal(next.searchParams.get('before_id'), 'domain_created.v0');
  const second = await apiFetch(edge, 'GET', `${base}${next.search}`);
  assert.deepEqual(typesOf(second.body), types.slice(3));
  assert.equal(second.body.next_page_uri, null);
  assert.deepEqual(typesOf((await apiFetch(edge, 'GET', `${base}?beforeId=ip_policy_created.v0&limit=1`)).body), [
    'ip_policy_updated.v0',
  ]);
  assert.deepEqual(typesOf((await apiFetch(edge, 'GET', `${base}?before_id=ssh_x.v0`)).body), [], 'no such source');

  const filter = encodeURIComponent('obj.type.startsWith("ip_policy_")');
  const filtered = await apiFetch(edge, 'GET', `${base}?filter=${filter}&limit=1`);
  assert.deepEqual(typesOf(filtered.body), ['ip_policy_created.v0']);
  const rest = new URL(String(filtered.body.next_page_uri));
  assert.equal(rest.searchParams.get('filter'), 'obj.type.startsWith("ip_policy_")', 'the next page keeps the filter');
  const last = await apiFetch(edge, 'GET', `${base}${rest.search}`);
  assert.deepEqual([typesOf(last.body), last.body.next_page_uri], [['ip_policy_updated.v0'], null]);

  for (const bad of ['obj.type ==', 'obj.nope == 1', 'obj.type']) {
    const res = await apiFetch(edge, 'GET', `${base}?filter=${encodeURIComponent(bad)}`);
    assert.equal(res.body.error_code, 'ERR_NGROK_250', bad);
  }
  assert.equal((await apiFetch(edge, 'GET', `${base}?limit=0`)).body.error_code, 'ERR_NGROK_233');
  assert.equal((await apiFetch(edge, 'GET', `${base}?limit=101`)).body.error_code, 'ERR_NGROK_233');
});

test('event types of resources Portico lacks (ssh_*) are refused as sources', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const sub = await ngrok.eventSubscriptions.create({
    sources: [{ type: 'ip_policy_created.v0' }],
    destinationIds: [],
  });
  const lacking = (field: string) => (e: Failure & { msg?: string }) =>
    e.errorCode === 'ERR_NGROK_238' && new RegExp(`^${field}: .*Portico has no `).test(e.msg ?? '');
  for (const type of [
    'ssh_credential_created.v0',
    'ssh_certificate_authority_deleted.v0',
    'ssh_host_certificate_updated.v0',
    'ssh_user_certificate_created.v0',
  ]) {
    await assert.rejects(
      ngrok.eventSubscriptions.create({ sources: [{ type }], destinationIds: [] }),
      lacking('sources.0.type'),
      type,
    );
    await assert.rejects(
      ngrok.eventSubscriptions.update({ id: sub.id, sources: [{ type: 'ip_policy_created.v0' }, { type }] }),
      lacking('sources.1.type'),
      type,
    );
    await assert.rejects(ngrok.eventSources.create({ subscriptionId: sub.id, type }), lacking('type'), type);
    const renamed = await apiFetch(edge, 'PATCH', `/event_subscriptions/${sub.id}/sources/ip_policy_created.v0`, {
      type,
    });
    assert.equal(renamed.body.error_code, 'ERR_NGROK_238', type);
  }
  assert.deepEqual(
    (await ngrok.eventSources.list({ subscriptionId: sub.id })).sources.map((s) => s.type),
    ['ip_policy_created.v0'],
  );
});

test('audit events for changes made through another path: domain certificate deletes, rules deleted with their policy, names reserved for edges', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  await subscribeReceiver(ngrok, receiver, [
    { type: 'domain_updated.v0' },
    { type: 'ip_policy_rule_deleted.v0' },
    { type: 'domain_created.v0' },
    { type: 'tcp_address_created.v0' },
  ]);
  await edge.events.settled();

  // An edge created without hostports reserves a generated name or address for the account.
  const https = await ngrok.edges.edgesHttps.create({});
  const tcp = await ngrok.edges.edgesTcp.create({});
  const managed = await ngrok.reservedDomains.create({
    domain: 'managed.example.com',
    region: 'local',
    certificateManagementPolicy: { authority: 'letsencrypt', privateKeyType: 'ecdsa' },
  });
  const plain = await ngrok.reservedDomains.create({ domain: 'plain.example.com', region: 'local' });
  await ngrok.reservedDomains.deleteCertificateManagementPolicy(managed.id);
  await ngrok.reservedDomains.deleteCertificate(plain.id);
  const policy = await ngrok.ipPolicies.create({});
  const rules = [
    await ngrok.ipPolicyRules.create({ ipPolicyId: policy.id, cidr: '10.0.0.0/8', action: 'allow' }),
    await ngrok.ipPolicyRules.create({
      ipPolicyId: policy.id,
      cidr: '192.168.0.0/16',
      action: 'deny',
      description: 'lan',
    }),
  ];
  await ngrok.ipPolicies.delete(policy.id);

  const events = await eventsAtLeast(receiver, 8);
  const created = events.filter(
    (e) => e.event_type === 'domain_created.v0' || e.event_type === 'tcp_address_created.v0',
  );
  assert.deepEqual(
    created.map((e) => [e.event_type, e.object.domain ?? e.object.addr]),
    [
      ['domain_created.v0', https.hostports![0]!.split(':')[0]],
      ['tcp_address_created.v0', tcp.hostports![0]],
      ['domain_created.v0', 'managed.example.com'],
      ['domain_created.v0', 'plain.example.com'],
    ],
  );
  const domains = events.filter((e) => e.event_type === 'domain_updated.v0');
  assert.deepEqual(
    domains.map((e) => [e.object.id, e.object.certificate_management_policy]),
    [
      [managed.id, null],
      [plain.id, null],
    ],
  );
  assert.equal(domains[0]!.object.uri, managed.uri, 'the object is the API read shape');
  const deleted = events.filter((e) => e.event_type === 'ip_policy_rule_deleted.v0');
  assert.deepEqual(
    deleted.map((e) => e.object).sort((a, b) => String(a.id).localeCompare(String(b.id))),
    rules.map((r) => ({
      id: r.id,
      uri: r.uri,
      created_at: r.createdAt,
      description: r.description,
      metadata: r.metadata,
      cidr: r.cidr,
      ip_policy: r.ipPolicy,
      action: r.action,
    })),
  );
});
