/**
 * AWS on loopback for the event destination tests. One HTTP endpoint (what the edge's
 * `events.awsEndpointUrl` points every AWS client at) that
 * - checks every request's SigV4 signature with `aws4`, an implementation independent of the
 *   AWS SDK the edge signs with, against the access keys it knows (a test's keys, or the
 *   temporary ones its AssumeRole handed out, session token included), and refuses a bad one
 *   as AWS does (403 InvalidSignatureException / UnrecognizedClientException);
 * - serves Kinesis with `kinesalite`, an independent implementation of Kinesis's API (it
 *   predates `StreamARN`, so a call naming the stream by ARN is passed on naming it by name);
 * - records Firehose `PutRecordBatch`, CloudWatch Logs `CreateLogStream`/`PutLogEvents` and
 *   STS `AssumeRole` calls as the AWS SDK sent them, and answers them in AWS's shapes.
 */
import http from 'node:http';
import type net from 'node:net';
import type { TestContext } from 'node:test';
import aws4 from 'aws4';
import kinesalite from 'kinesalite';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { defer } from '../../support/defer.ts';
import { startHttpService } from '../../support/services.ts';

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One call the stand-in took: its service (signing scope), action, region, key id and body. */
export interface AwsCall {
  service: string;
  action: string;
  region: string;
  accessKeyId: string;
  sessionToken?: string;
  body: Record<string, unknown>;
}

export interface AwsStandIn {
  url: string;
  /** The HTTP server the edge talks to (a test shortens its keep-alive). */
  server: http.Server;
  /** TCP connections the edge opened to it. */
  connections: number;
  /** Every call whose signature checked out, in order. */
  calls: AwsCall[];
  /** Requests refused for their signature. */
  badSignatures: string[];
  /** The log stream is gone (deleted in AWS): the next PutLogEvents is refused with ResourceNotFoundException. */
  logStreamGone: boolean;
  /** Roles whose AssumeRole is refused (AccessDenied, as for a trust policy that does not match). */
  refuseRoles: Set<string>;
  /** Indexes of the records the next PutRecordBatch refuses (then reset). */
  refuseFirehoseRecords: number[];
  /** A Kinesis client of the kinesalite behind the stand-in, to create streams and read records. */
  kinesis: KinesisClient;
  /** The calls of one action. */
  of(action: string): AwsCall[];
}

export async function startAwsStandIn(t: TestContext, keys: AwsKeys[]): Promise<AwsStandIn> {
  // The SDK's warning that its 2027 releases need Node 22, which the edge turns off for itself.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const known = new Map(keys.map((k) => [k.accessKeyId, k]));
  const kinesisServer = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  await new Promise<void>((r) => kinesisServer.listen(0, '127.0.0.1', r));
  const kinesisPort = (kinesisServer.address() as net.AddressInfo).port;
  defer(t, () => new Promise<void>((r) => kinesisServer.close(() => r())));
  let issued = 0;

  // Requests arrive once standIn (below) is made.
  const service = await startHttpService(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signed = checkSignature(req, raw, known);
      if ('refused' in signed) {
        standIn.badSignatures.push(signed.refused);
        return json(res, 403, { __type: signed.type, message: signed.refused });
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const form = target ? undefined : new URLSearchParams(raw.toString('utf8'));
      const action = target ? target.split('.').pop()! : String(form?.get('Action'));
      const body = form
        ? Object.fromEntries(form)
        : (JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>);
      standIn.calls.push({ ...signed.call, action, body });
      if (target.startsWith('Kinesis_')) return passToKinesalite(req, res, raw, body, kinesisPort);
      if (action === 'AssumeRole' && standIn.refuseRoles.has(String(body.RoleArn)))
        return accessDenied(res, String(body.RoleArn));
      if (action === 'AssumeRole') {
        const temporary = {
          accessKeyId: `ASIATEMP${++issued}`,
          secretAccessKey: `temp-secret-${issued}`,
          sessionToken: `token-${issued}`,
        };
        known.set(temporary.accessKeyId, temporary);
        return assumeRoleAnswer(res, temporary);
      }
      if (action === 'PutRecordBatch') {
        const records = body.Records as unknown[];
        const refuse = new Set(standIn.refuseFirehoseRecords.splice(0));
        return json(res, 200, {
          FailedPutCount: refuse.size,
          Encrypted: false,
          RequestResponses: records.map((_, i) =>
            refuse.has(i)
              ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
              : { RecordId: `record-${standIn.calls.length}-${i}` },
          ),
        });
      }
      if (action === 'CreateLogStream') {
        standIn.logStreamGone = false;
        return json(res, 200, {});
      }
      if (action === 'PutLogEvents' && standIn.logStreamGone)
        return json(res, 400, {
          __type: 'ResourceNotFoundException',
          message: 'The specified log stream does not exist.',
        });
      if (action === 'PutLogEvents') return json(res, 200, {});
      json(res, 400, { __type: 'UnknownOperationException', message: action });
    });
  });
  const standIn: AwsStandIn = {
    url: service.url,
    server: service.server,
    connections: 0,
    calls: [],
    badSignatures: [],
    refuseFirehoseRecords: [],
    refuseRoles: new Set(),
    logStreamGone: false,
    kinesis: new KinesisClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${kinesisPort}`,
      credentials: { accessKeyId: 'reader', secretAccessKey: 'reader' },
      requestHandler: new NodeHttpHandler(),
    }),
    of: (action) => standIn.calls.filter((c) => c.action === action),
  };
  defer(t, () => standIn.kinesis.destroy());
  service.server.on('connection', () => standIn.connections++);
  return standIn;
}

/** The SigV4 signature of `req` recomputed with aws4 from the key it names. */
function checkSignature(
  req: http.IncomingMessage,
  body: Buffer,
  known: Map<string, AwsKeys>,
): { call: Omit<AwsCall, 'action' | 'body'> } | { refused: string; type: string } {
  const auth = String(req.headers.authorization ?? '');
  const parts =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!parts) return { refused: `no SigV4 Authorization: ${auth}`, type: 'MissingAuthenticationTokenException' };
  const [, keyId, region, service, signedHeaders, signature] = parts as unknown as string[];
  const keys = known.get(keyId!);
  if (!keys) return { refused: `unknown access key ${keyId}`, type: 'UnrecognizedClientException' };
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) headers[name] = String(req.headers[name]);
  if (keys.sessionToken !== undefined && headers['x-amz-security-token'] !== keys.sessionToken)
    return { refused: `temporary key ${keyId} without its session token`, type: 'UnrecognizedClientException' };
  const request = { host: req.headers.host, method: req.method, path: req.url, headers, body, service, region };
  aws4.sign(request, { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });
  const expected = /Signature=([0-9a-f]{64})/.exec(
    String((request.headers as Record<string, string>).Authorization),
  )?.[1];
  if (expected !== signature) return { refused: `signature mismatch for ${keyId}`, type: 'InvalidSignatureException' };
  return {
    call: {
      service: service!,
      region: region!,
      accessKeyId: keyId!,
      ...(keys.sessionToken !== undefined && { sessionToken: keys.sessionToken }),
    },
  };
}

function passToKinesalite(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  raw: Buffer,
  body: Record<string, unknown>,
  port: number,
): void {
  let payload = raw;
  if (typeof body.StreamARN === 'string') {
    const { StreamARN, ...rest } = body;
    payload = Buffer.from(JSON.stringify({ ...rest, StreamName: StreamARN.split('/').pop() }));
  }
  const headers = { ...req.headers, 'content-length': String(payload.length) };
  const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (answer) => {
    // Hop-by-hop headers are the stand-in's own, as in any proxy: kinesalite's keep-alive is not the edge's.
    const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = answer.headers;
    res.writeHead(answer.statusCode!, headers);
    answer.pipe(res);
  });
  upstream.on('error', (err) => json(res, 502, { __type: 'InternalFailure', message: err.message }));
  upstream.end(payload);
}

function assumeRoleAnswer(res: http.ServerResponse, keys: Required<AwsKeys>): void {
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  res
    .writeHead(200, { 'content-type': 'text/xml' })
    .end(
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${keys.accessKeyId}</AccessKeyId><SecretAccessKey>${keys.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${keys.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/events/portico-events</Arn><AssumedRoleId>AROA:portico-events</AssumedRoleId></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>standin</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
}

function accessDenied(res: http.ServerResponse, roleArn: string): void {
  res
    .writeHead(403, { 'content-type': 'text/xml' })
    .end(
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>` +
        `<Message>User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error>` +
        `<RequestId>standin</RequestId></ErrorResponse>`,
    );
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
}
