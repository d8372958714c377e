import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-kinesis';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ngrok } from '@ngrok/ngrok-api';
import { apiClient } from '../../support/api.ts';
import { spawnPortico } from '../../support/cli.ts';
import { startTestEdge, tempDir } from '../../support/edge.ts';
import { eventually, sleep } from '../../support/services.ts';
import { deliveryOf, subscribe } from './subscribe.ts';
import { startAwsStandIn } from './aws-standin.ts';

const keys = { accessKeyId: 'AKIAPORTICOTEST00001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
type Envelope = { event_id: string; event_type: string; event_timestamp: string; object: { id: string } };

/** A kinesis destination to `stream` (eu-west-1) signed with the stand-in's keys, or with `secret` in their place. */
function kinesisWithKeys(ngrok: ReturnType<typeof apiClient>, stream: string, secret = keys.secretAccessKey) {
  return ngrok.eventDestinations.create({
    format: 'json',
    target: {
      kinesis: {
        auth: { creds: { awsAccessKeyId: keys.accessKeyId, awsSecretAccessKey: secret } },
        streamArn: `arn:aws:kinesis:eu-west-1:123456789012:stream/${stream}`,
      },
    },
  });
}

test('kinesis destination: each event one record of the stream (kinesalite), signed with the target keys', async (t) => {
  const aws = await startAwsStandIn(t, [keys]);
  await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'portico-audit', ShardCount: 2 }));
  const edge = await startTestEdge(t, { config: { events: { awsEndpointUrl: aws.url } } });
  const ngrok = apiClient(edge);
  const destination = await kinesisWithKeys(ngrok, 'portico-audit');
  const read = (await ngrok.eventDestinations.get(destination.id)) as unknown as Record<string, unknown>;
  assert.equal(read.configError, undefined);
  await subscribe(edge, destination.id);
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await ngrok.ipPolicies.create({ description: `to kinesis ${i}` })).id);

  await eventually(() => deliveryOf(edge, destination.id).delivered === 3, 10_000, 'three events delivered');
  const records = await streamRecords(aws.kinesis, 'portico-audit');
  assert.deepEqual(records.map((r) => r.object.id).sort(), [...ids].sort());
  assert.ok(records.every((r) => r.event_type === 'ip_policy_created.v0'));
  const puts = aws.of('PutRecords');
  assert.ok(puts.length >= 1);
  for (const put of puts) {
    assert.deepEqual([put.service, put.region, put.accessKeyId], ['kinesis', 'eu-west-1', keys.accessKeyId]);
    assert.equal(put.body.StreamARN, 'arn:aws:kinesis:eu-west-1:123456789012:stream/portico-audit');
  }
  assert.deepEqual(aws.badSignatures, []);
  assert.deepEqual(deliveryOf(edge, destination.id).dropped, 0);
});

test('firehose destination with an IAM role: assumed with the edge host credentials and the account id as external id; a refused record is sent again, alone', async (t) => {
  const host = edgeHostKeys(t, 'AKIAEDGEHOST00000001');
  const aws = await startAwsStandIn(t, [host]);
  aws.refuseFirehoseRecords = [0];
  const edge = await startTestEdge(t, {
    config: { events: { awsEndpointUrl: aws.url, limits: { retryBaseMs: 20 } } },
  });
  const ngrok = apiClient(edge);
  const destination = await ngrok.eventDestinations.create({
    format: 'json',
    target: {
      firehose: {
        auth: { role: { roleArn: 'arn:aws:iam::123456789012:role/portico/events' } },
        deliveryStreamArn: 'arn:aws:firehose:us-west-2:123456789012:deliverystream/portico-events',
      },
    },
  });
  await subscribe(edge, destination.id);
  for (let i = 0; i < 3; i++) await ngrok.ipPolicies.create({ description: `to firehose ${i}` });

  await eventually(() => deliveryOf(edge, destination.id).delivered === 3, 10_000, 'three events delivered');
  const [assume, ...more] = aws.of('AssumeRole');
  assert.equal(more.length, 0, 'the role is assumed once while its credentials last');
  assert.equal(assume!.accessKeyId, host.accessKeyId);
  assert.equal(assume!.body.RoleArn, 'arn:aws:iam::123456789012:role/portico/events');
  assert.equal(assume!.body.ExternalId, deliveryOf(edge, destination.id).accountId);
  assert.equal(assume!.body.RoleSessionName, 'portico-events');

  const batches = aws.of('PutRecordBatch');
  for (const batch of batches) {
    assert.deepEqual([batch.service, batch.region, batch.accessKeyId], ['firehose', 'us-west-2', 'ASIATEMP1']);
    assert.equal(batch.sessionToken, 'token-1');
    assert.equal(batch.body.DeliveryStreamName, 'portico-events');
  }
  const data = batches.map((b) =>
    (b.body.Records as Array<{ Data: string }>).map((r) => Buffer.from(r.Data, 'base64').toString()),
  );
  // The first call's first record was refused: the batch's retry sends it alone; every event
  // reached the stream once.
  assert.deepEqual(data[1], [data[0]![0]]);
  const taken = [...data[0]!.slice(1), ...data.slice(1).flat()];
  assert.equal(taken.length, 3);
  assert.ok(
    taken.every((line) => line.endsWith('\n')),
    'one JSON document a line',
  );
  const envelopes = taken.map((line) => JSON.parse(line) as Envelope);
  assert.equal(new Set(envelopes.map((e) => e.event_id)).size, 3);
  assert.ok(envelopes.every((e) => e.event_type === 'ip_policy_created.v0'));
  assert.deepEqual(aws.badSignatures, []);
  assert.equal(deliveryOf(edge, destination.id).retries, 1);
});

test('cloudwatch_logs destination: the portico-events stream created when missing, log events in time order stamped with the event time', async (t) => {
  const aws = await startAwsStandIn(t, [keys]);
  const edge = await startTestEdge(t, { config: { events: { awsEndpointUrl: aws.url, limits: { retryBaseMs: 20 } } } });
  const ngrok = apiClient(edge);
  const destination = await ngrok.eventDestinations.create({
    format: 'json',
    target: {
      cloudwatchLogs: {
        auth: { creds: { awsAccessKeyId: keys.accessKeyId, awsSecretAccessKey: keys.secretAccessKey } },
        logGroupArn: 'arn:aws:logs:ap-southeast-2:123456789012:log-group:/portico/audit:*',
      },
    },
  });
  await subscribe(edge, destination.id, ['ip_policy_created.v0', 'ip_policy_updated.v0']);
  const policy = await ngrok.ipPolicies.create({ description: 'to cloudwatch' });
  await eventually(() => deliveryOf(edge, destination.id).delivered === 1, 10_000, 'the first event delivered');
  // Someone deleted the stream meanwhile: the edge makes it again on the retry.
  aws.logStreamGone = true;
  await ngrok.ipPolicies.update({ id: policy.id, description: 'to cloudwatch, again' });
  await eventually(() => deliveryOf(edge, destination.id).delivered === 2, 10_000, 'the second event delivered');

  const streams = aws.of('CreateLogStream');
  assert.equal(streams.length, 2);
  for (const stream of streams)
    assert.deepEqual(stream.body, { logGroupName: '/portico/audit', logStreamName: 'portico-events' });
  const [first, refused, retried, ...more] = aws.of('PutLogEvents');
  assert.equal(more.length, 0);
  assert.deepEqual(retried!.body, refused!.body, 'the refused call is made again as it was');
  const puts = [first!, retried!];
  const logged = puts.flatMap((p) => p.body.logEvents as Array<{ message: string; timestamp: number }>);
  const envelopes = logged.map((e) => JSON.parse(e.message) as Envelope);
  assert.deepEqual(
    envelopes.map((e) => `${e.event_type} ${e.object.id}`),
    [`ip_policy_created.v0 ${policy.id}`, `ip_policy_updated.v0 ${policy.id}`],
  );
  assert.deepEqual(
    logged.map((e) => e.timestamp),
    envelopes.map((e) => Date.parse(e.event_timestamp)),
  );
  for (const put of puts) {
    assert.deepEqual([put.service, put.region, put.accessKeyId], ['logs', 'ap-southeast-2', keys.accessKeyId]);
    assert.equal(put.body.logGroupName, '/portico/audit');
  }
  assert.deepEqual(aws.badSignatures, []);
});

test('AWS target across an idle period longer than the endpoint keep-alive: the next batch goes on a new connection, first time', async (t) => {
  const aws = await startAwsStandIn(t, [keys]);
  aws.server.keepAliveTimeout = 150;
  await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'idle', ShardCount: 1 }));
  const edge = await startTestEdge(t, { config: { events: { awsEndpointUrl: aws.url } } });
  const ngrok = apiClient(edge);
  const destination = await kinesisWithKeys(ngrok, 'idle');
  await subscribe(edge, destination.id);
  await ngrok.ipPolicies.create({ description: 'before the idle period' });
  await eventually(() => deliveryOf(edge, destination.id).delivered === 1, 10_000, 'the first event delivered');
  await sleep(600); // four times the endpoint's keep-alive: it closed the edge's connection
  await ngrok.ipPolicies.create({ description: 'after it' });
  await eventually(() => deliveryOf(edge, destination.id).delivered === 2, 10_000, 'the second event delivered');
  assert.equal(deliveryOf(edge, destination.id).retries, 0, 'no attempt failed on the closed connection');
  assert.equal(aws.connections, 2);
  assert.equal((await streamRecords(aws.kinesis, 'idle')).length, 2);
});

test('AWS target with keys AWS does not take: every attempt fails on its signature, the batch is dropped and counted', async (t) => {
  const aws = await startAwsStandIn(t, [keys]);
  const edge = await startTestEdge(t, {
    config: { events: { awsEndpointUrl: aws.url, limits: { retryBaseMs: 10, retryMaxMs: 20, maxAttempts: 2 } } },
  });
  const ngrok = apiClient(edge);
  const destination = await kinesisWithKeys(ngrok, 'portico-audit', 'not-the-secret');
  await subscribe(edge, destination.id);
  await ngrok.ipPolicies.create({ description: 'refused' });
  await eventually(() => deliveryOf(edge, destination.id).dropped === 1, 10_000, 'the event dropped');
  const s = deliveryOf(edge, destination.id);
  assert.equal(s.delivered, 0);
  assert.equal(aws.badSignatures.length, 2);
  assert.match(String(s.lastError), /^Kinesis PutRecords: InvalidSignatureException \(403\)/);
});

test('AWS role the edge may not assume: the error names the role and the external id, the batch is retried then dropped', async (t) => {
  const host = edgeHostKeys(t, 'AKIAEDGEHOST00000002');
  const aws = await startAwsStandIn(t, [host]);
  const roleArn = 'arn:aws:iam::123456789012:role/someone-else';
  aws.refuseRoles.add(roleArn);
  const edge = await startTestEdge(t, {
    config: { events: { awsEndpointUrl: aws.url, limits: { retryBaseMs: 10, retryMaxMs: 20, maxAttempts: 2 } } },
  });
  const ngrok = apiClient(edge);
  const destination = await ngrok.eventDestinations.create({
    format: 'json',
    target: {
      cloudwatchLogs: {
        auth: { role: { roleArn } },
        logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:audit',
      },
    },
  });
  await subscribe(edge, destination.id);
  await ngrok.ipPolicies.create({ description: 'not for us' });
  await eventually(() => deliveryOf(edge, destination.id).dropped === 1, 10_000, 'the event dropped');
  const s = deliveryOf(edge, destination.id);
  assert.equal(aws.of('AssumeRole').length, 2, 'tried again on the retry');
  assert.equal(aws.of('PutLogEvents').length, 0);
  assert.equal(
    s.lastError,
    `CloudWatch Logs CreateLogStream: STS AssumeRole of ${roleArn} with external id ${s.accountId}: AccessDenied (403): User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  );
});

// The built CLI, as operators run it: the SDK loads on first use from the bundle, finds the
// edge host's credentials and the endpoint in the environment (AWS_ENDPOINT_URL), as the docs say.
test('built `portico edge`: a kinesis destination with a role, delivered where AWS_ENDPOINT_URL points', async (t) => {
  const host = { accessKeyId: 'AKIAEDGEHOST00000003', secretAccessKey: 'edge-host-secret-key' };
  const aws = await startAwsStandIn(t, [host]);
  await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'built', ShardCount: 1 }));
  const dataDir = await tempDir(t);
  const zero = ['--agent-addr', '127.0.0.1:0', '--https-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0'];
  spawnPortico(t, ['edge', '--data-dir', dataDir, ...zero, '--api-addr', '127.0.0.1:0', '--tcp-ports', '0'], {
    AWS_ENDPOINT_URL: aws.url,
    ...hostEnv(host),
  });
  const bootstrap = await eventually(
    async () => JSON.parse(await readFile(join(dataDir, 'bootstrap.json'), 'utf8')) as Record<string, string>,
    20_000,
    'bootstrap.json',
  );
  const ngrok = new Ngrok({ apiToken: bootstrap.api_key!, baseUrl: bootstrap.api_url! });
  const destination = await ngrok.eventDestinations.create({
    format: 'json',
    target: {
      kinesis: {
        auth: { role: { roleArn: 'arn:aws:iam::123456789012:role/events' } },
        streamArn: 'arn:aws:kinesis:eu-north-1:123456789012:stream/built',
      },
    },
  });
  await ngrok.eventSubscriptions.create({
    sources: [{ type: 'ip_policy_created.v0' }],
    destinationIds: [destination.id],
  });
  // The edge follows the store: the subscription takes effect within its poll, so a policy is
  // created until one's event reaches the stream.
  const records = await eventually(
    async () => {
      await ngrok.ipPolicies.create({ description: 'from the built edge' });
      const read = await streamRecords(aws.kinesis, 'built');
      if (!read.length) throw new Error('no record yet');
      return read;
    },
    20_000,
    'a record in the stream',
  );
  assert.ok(records.every((r) => r.event_type === 'ip_policy_created.v0'));
  assert.equal(aws.of('AssumeRole')[0]?.accessKeyId, host.accessKeyId);
  assert.equal(aws.of('PutRecords')[0]?.accessKeyId, 'ASIATEMP1');
  assert.deepEqual(aws.badSignatures, []);
});

/** Every record of the stream's shards, read from the start. */
async function streamRecords(kinesis: Awaited<ReturnType<typeof startAwsStandIn>>['kinesis'], stream: string) {
  const described = await kinesis.send(new DescribeStreamCommand({ StreamName: stream }));
  const out: Envelope[] = [];
  for (const shard of described.StreamDescription!.Shards!) {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    for (const record of Records ?? []) out.push(JSON.parse(Buffer.from(record.Data!).toString('utf8')) as Envelope);
  }
  return out;
}

/**
 * The edge host's own AWS credentials (what a role is assumed with), where the AWS SDK's default
 * chain finds them: in the environment, set for the test. The in-process edge reads this one.
 */
function edgeHostKeys(t: TestContext, accessKeyId: string) {
  const host = { accessKeyId, secretAccessKey: 'edge-host-secret-key' };
  const vars = hostEnv(host);
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  t.after(() => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  return host;
}

/** The environment that gives a process `host`'s keys, and no instance metadata to probe. */
function hostEnv(host: { accessKeyId: string; secretAccessKey: string }): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: host.accessKeyId,
    AWS_SECRET_ACCESS_KEY: host.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
