import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Ngrok } from '@ngrok/ngrok-api';
import { apiClient } from '../../support/api.ts';
import { startTestEdge } from '../../support/edge.ts';
import { eventually } from '../../support/services.ts';
import { eventsAtLeast, startReceiver } from './receiver.ts';

type Loose = Parameters<Ngrok['eventDestinations']['create']>[0];

test('file destination: audit events as NDJSON under the edge event file directory, rotated by size', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const destination = await ngrok.eventDestinations.create({
    format: 'json',
    target: { file: { path: 'audit/events.ndjson', max_bytes: 2048, max_files: 3 } },
  } as unknown as Loose);
  await ngrok.eventSubscriptions.create({
    sources: [{ type: 'ip_policy_created.v0' }, { type: 'ip_policy_updated.v0' }],
    destinationIds: [destination.id],
  });
  await edge.events.settled();
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const policy = await ngrok.ipPolicies.create({ description: `policy ${i}`, metadata: 'm'.repeat(200) });
    ids.push(policy.id);
    await ngrok.ipPolicies.update({ id: policy.id, description: `policy ${i} v2` });
  }
  const dir = join(edge.dataDir, 'event-files', 'audit');
  await eventually(
    () => edge.events.stats().find((s) => s.destinationId === destination.id)?.delivered === 24,
    10_000,
    '24 events written',
  );

  const files = (await readdir(dir)).sort();
  assert.deepEqual(files, ['events.ndjson', 'events.ndjson.1', 'events.ndjson.2', 'events.ndjson.3']);
  const lines: Array<{ event_type: string; object: { id: string } }> = [];
  for (const name of ['events.ndjson.3', 'events.ndjson.2', 'events.ndjson.1', 'events.ndjson']) {
    const text = await readFile(join(dir, name), 'utf8');
    assert.ok(Buffer.byteLength(text) <= 2048, `${name}: ${Buffer.byteLength(text)} bytes`);
    assert.ok(text.endsWith('\n'));
    for (const line of text.trim().split('\n')) lines.push(JSON.parse(line) as (typeof lines)[number]);
  }
  // The newest events are all there, in order; the oldest went with rotation.
  const expected = ids.flatMap((id) => [`ip_policy_created.v0 ${id}`, `ip_policy_updated.v0 ${id}`]);
  assert.deepEqual(
    lines.map((l) => `${l.event_type} ${l.object.id}`),
    expected.slice(expected.length - lines.length),
  );
  assert.ok(lines.length < expected.length, 'the oldest file was rotated away');
});

test('datadog destination: logs posted to the (local stand-in) intake with DD-API-KEY, tags and service', async (t) => {
  const intake = await startReceiver(t);
  // The intake refuses the first attempt: the batch is retried with the same body.
  let answers = 0;
  intake.answer = () => (answers++ === 0 ? 503 : 200);
  const edge = await startTestEdge(t, {
    config: { events: { datadogIntakeUrl: intake.url, limits: { retryBaseMs: 20 } } },
  });
  const ngrok = apiClient(edge);
  const destination = await ngrok.eventDestinations.create({
    format: 'json',
    target: {
      datadog: { apiKey: 'dd-api-key-123', ddtags: 'env:test,team:edge', service: 'portico', ddsite: 'datadoghq.eu' },
    },
  });
  await ngrok.eventSubscriptions.create({
    sources: [{ type: 'ip_policy_created.v0' }],
    destinationIds: [destination.id],
  });
  await edge.events.settled();
  const policy = await ngrok.ipPolicies.create({ description: 'to datadog' });

  const [log] = await eventsAtLeast(intake, 1);
  assert.deepEqual(
    intake.requests.map((r) => r.status),
    [503, 200],
  );
  assert.equal(intake.requests[1]!.body, intake.requests[0]!.body);
  const request = intake.requests[1]!;
  assert.equal(request.headers['dd-api-key'], 'dd-api-key-123');
  assert.equal(request.headers['content-type'], 'application/json');
  const entry = log as unknown as Record<string, unknown>;
  assert.equal(entry.ddtags, 'env:test,team:edge');
  assert.equal(entry.service, 'portico');
  assert.equal(entry.ddsource, 'portico');
  assert.equal(entry.event_type, 'ip_policy_created.v0');
  assert.equal((entry.object as { id: string }).id, policy.id);
  assert.equal(JSON.parse(String(entry.message)).event_id, entry.event_id);
});

test('a destination stored with a target the edge cannot use (an older version stored it unchecked): config_error on reads, its events counted as dropped', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  // Written to the store as a version that only checked "arn:" would have kept it.
  const record = await edge.store.resources.create(edge.credentials.accountId, 'event_destination', 'ed', {
    description: '',
    metadata: '',
    format: 'json',
    target: {
      kinesis: {
        auth: { role: { role_arn: 'arn:aws:iam::123456789012:role/events' } },
        stream_arn: 'arn:aws:kinesis:us-east-1:1:stream/portico',
      },
    },
  });
  const read = (await ngrok.eventDestinations.get(record.id)) as unknown as { configError?: string };
  assert.match(
    String(read.configError),
    /^ERR_EVENT_TARGET_UNDELIVERABLE: target\.kinesis\.stream_arn: "arn:aws:kinesis:us-east-1:1:stream\/portico" is not an AWS ARN/,
  );
  await ngrok.eventSubscriptions.create({ sources: [{ type: 'ip_policy_created.v0' }], destinationIds: [record.id] });
  await edge.events.settled();
  await ngrok.ipPolicies.create({ description: 'nowhere to go' });
  await ngrok.ipPolicies.create({ description: 'nowhere either' });
  const stats = edge.events.stats().find((s) => s.destinationId === record.id)!;
  assert.deepEqual(
    { target: stats.target, deliverable: stats.deliverable, dropped: stats.dropped, delivered: stats.delivered },
    { target: 'kinesis', deliverable: false, dropped: 2, delivered: 0 },
  );
});
