/**
 * webhook_verification end to end: a real edge, our agent on a labeled tunnel, one HTTPS edge
 * with a route per provider. Each request is signed by the provider's own library where one
 * signs (Stripe, GitHub, GitLab's Standard Webhooks, Shopify, Twilio); where none does (Slack,
 * SendGrid, AWS SNS, Intercom, Xero) it is signed with node:crypto as the provider documents,
 * and the signature is first checked with the provider's own verifier where one exists.
 */
import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, generateKeyPairSync, sign, webcrypto, type KeyObject } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { createRequire } from 'node:module';
import { test, type TestContext } from 'node:test';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { getHmac as shopifyHmac } from '@shopify/shopify-api/test-helpers';
import { isValidSlackRequest } from '@slack/bolt';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import twilio from 'twilio';
import { apiClient } from '../../support/api.ts';
import { request, type FetchResult } from '../../support/client.ts';
import { defer } from '../../support/defer.ts';
import { httpsEdge, reserve, tunnelGroupBackend } from '../../support/edges.ts';
import { forwardTo, startTestEdge, type TestEdge } from '../../support/edge.ts';
import { startHttpService } from '../../support/services.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** sns-validator ships no types; the part used here. */
type SnsValidator = new (hostPattern: RegExp) => { validate(message: string, cb: (err: Error | null) => void): void };
const MessageValidator = createRequire(import.meta.url)('sns-validator') as SnsValidator;

const host = 'wh.example.com';
/** The body bound the test edge is started with, small so an oversized body stays cheap. */
const maxBodyBytes = 64 * 1024;
const now = () => Math.floor(Date.now() / 1000);
/** Ten minutes ago: past every timestamp window (5 minutes). */
const stale = () => now() - 600;

/** A provider's signer: the headers for `body` sent to `url`, under `secret`, at `timestamp`. */
type Signer = (body: Buffer, secret: string, url: string, timestamp: number) => Promise<Record<string, string>>;

interface Case {
  provider: string;
  /** The secret stored on the route, and what the signer signs with. */
  secret: string;
  /** Signs as the provider does with another secret (for SendGrid and SNS: another private key). */
  wrong: { secret: string; sign?: Signer };
  sign: Signer;
  /** Whether the scheme signs a timestamp (then a stale one is refused). */
  timestamped: boolean;
  /** False for GitLab's classic secret token, which is sent as is and covers no body. */
  signsBody?: boolean;
  body: Buffer;
  /** Path (and query) on the route; defaults to /<provider>. */
  path?: string;
  /** The provider's own verifier, where it exists, run on the signed request first. */
  officialCheck?: (body: Buffer, headers: Record<string, string>, url: string) => Promise<boolean> | boolean;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value, null, 1) + '\n');
const hmac = (alg: string, key: string, data: string | Buffer, enc: 'hex' | 'base64') =>
  createHmac(alg, key).update(data).digest(enc);

function cases(sns: SnsFixture): Case[] {
  const stripe = new Stripe('sk_test_portico');
  const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherSendgrid = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sendgridSecret = sendgridKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const sendgridSign =
    (key: KeyObject): Signer =>
    async (body, _secret, _url, ts) => ({
      'x-twilio-email-event-webhook-timestamp': String(ts),
      'x-twilio-email-event-webhook-signature': sign(
        'sha256',
        Buffer.concat([Buffer.from(String(ts)), body]),
        key,
      ).toString('base64'),
    });
  const gitlabSecret = `whsec_${Buffer.from('portico gitlab signing key 32 b!').toString('base64')}`;
  // Form parameters as Twilio's validator takes them (a repeated name holds every value).
  const twilioForm = (body: Buffer) => {
    const params: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body.toString())) {
      const had = params[k];
      params[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
    }
    return params;
  };
  return [
    {
      provider: 'stripe',
      secret: 'whsec_stripe_portico',
      wrong: { secret: 'whsec_other' },
      timestamped: true,
      body: json({ id: 'evt_1', type: 'payment_intent.succeeded', data: { amount: 2000, note: 'ünïcode' } }),
      sign: async (body, secret, _url, timestamp) => ({
        'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body.toString(), secret, timestamp }),
      }),
      officialCheck: (body, headers, _url) =>
        !!stripe.webhooks.constructEvent(body, headers['stripe-signature']!, 'whsec_stripe_portico'),
    },
    {
      provider: 'github',
      secret: 'gh-secret',
      wrong: { secret: 'gh-other' },
      timestamped: false,
      body: json({ action: 'opened', number: 7 }),
      sign: async (body, secret) => ({
        'x-hub-signature-256': await githubSign(secret, body.toString()),
        'x-github-event': 'pull_request',
      }),
    },
    {
      provider: 'gitlab',
      secret: gitlabSecret,
      wrong: { secret: `whsec_${Buffer.from('another key').toString('base64')}` },
      timestamped: true,
      body: json({ object_kind: 'push', ref: 'refs/heads/main' }),
      sign: async (body, secret, _url, ts) => ({
        'webhook-id': 'msg_portico_1',
        'webhook-timestamp': String(ts),
        'webhook-signature': new StandardWebhook(secret).sign('msg_portico_1', new Date(ts * 1000), body.toString()),
      }),
      officialCheck: (body, headers) => !!new StandardWebhook(gitlabSecret).verify(body.toString(), headers),
    },
    {
      provider: 'gitlab',
      path: '/gitlab/token',
      secret: gitlabSecret,
      wrong: { secret: 'not the token' },
      timestamped: false,
      signsBody: false,
      body: json({ object_kind: 'issue' }),
      sign: async (_body, secret) => ({ 'x-gitlab-token': secret, 'x-gitlab-event': 'Issue Hook' }),
    },
    {
      provider: 'intercom',
      secret: 'intercom-client-secret',
      wrong: { secret: 'other' },
      timestamped: false,
      body: json({ type: 'notification_event', topic: 'conversation.user.created' }),
      sign: async (body, secret) => ({ 'x-hub-signature': `sha1=${hmac('sha1', secret, body, 'hex')}` }),
    },
    {
      provider: 'sendgrid',
      secret: sendgridSecret,
      wrong: { secret: sendgridSecret, sign: sendgridSign(otherSendgrid.privateKey) },
      timestamped: true,
      body: Buffer.from('[{"email":"a@example.com","event":"delivered","sg_event_id":"x"}]\r\n'),
      sign: sendgridSign(sendgridKeys.privateKey),
      officialCheck: (body, headers) => {
        const ew = new EventWebhook();
        return ew.verifySignature(
          ew.convertPublicKeyToECDSA(sendgridSecret),
          body,
          headers['x-twilio-email-event-webhook-signature']!,
          headers['x-twilio-email-event-webhook-timestamp']!,
        );
      },
    },
    {
      provider: 'shopify',
      secret: 'shpss_portico',
      wrong: { secret: 'shpss_other' },
      timestamped: false,
      body: json({ id: 820982911946154500, email: 'jon@example.com' }),
      sign: async (body, secret) => ({
        'x-shopify-hmac-sha256': shopifyHmac(body.toString(), secret),
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': 'portico.myshopify.com',
      }),
    },
    {
      provider: 'slack',
      secret: 'slack-signing-secret',
      wrong: { secret: 'other' },
      timestamped: true,
      body: Buffer.from('token=x&team_id=T1&command=%2Fdeploy&text=now'),
      sign: async (body, secret, _url, ts) => ({
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': `v0=${hmac('sha256', secret, `v0:${ts}:${body.toString()}`, 'hex')}`,
        'content-type': 'application/x-www-form-urlencoded',
      }),
      officialCheck: (body, headers) =>
        isValidSlackRequest({
          signingSecret: 'slack-signing-secret',
          body: body.toString(),
          headers: {
            'x-slack-signature': headers['x-slack-signature']!,
            'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
          },
        }),
    },
    {
      provider: 'sns',
      secret: '',
      wrong: { secret: '', sign: sns.signer(sns.otherKey) },
      timestamped: false,
      body: sns.message(),
      sign: sns.signer(sns.key),
      officialCheck: (body) => sns.officialCheck(body),
    },
    {
      provider: 'twilio',
      path: '/twilio/sms?From=%2B15551234567',
      secret: 'twilio-auth-token',
      wrong: { secret: 'other-token' },
      timestamped: false,
      body: Buffer.from('Body=Hello+%C3%BC&To=%2B15557654321&MessageSid=SM1&AccountSid=AC1&To=%2B15550000000'),
      sign: async (body, secret, url) => ({
        'x-twilio-signature': twilio.getExpectedTwilioSignature(secret, url, twilioForm(body)),
        'content-type': 'application/x-www-form-urlencoded',
      }),
    },
    {
      provider: 'twilio',
      path: `/twilio/json?bodySHA256=${'_'}`,
      secret: 'twilio-auth-token',
      wrong: { secret: 'other-token' },
      timestamped: false,
      body: json({ CallSid: 'CA1', CallStatus: 'completed' }),
      sign: async (_body, secret, url) => ({
        'x-twilio-signature': twilio.getExpectedTwilioSignature(secret, url, {}),
        'content-type': 'application/json',
      }),
      officialCheck: (body, headers, url) =>
        twilio.validateRequestWithBody('twilio-auth-token', headers['x-twilio-signature']!, url, body.toString()),
    },
    {
      provider: 'xero',
      secret: 'xero-webhook-key',
      wrong: { secret: 'other' },
      timestamped: false,
      body: Buffer.from('{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "S0m3r4Nd0mt3xt"}'),
      sign: async (body, secret) => ({ 'x-xero-signature': hmac('sha256', secret, body, 'base64') }),
    },
  ];
}

/** The Twilio JSON case signs a URL carrying the body's hash. */
function pathFor(c: Case): string {
  const path = c.path ?? `/${c.provider}`;
  return path.replace('bodySHA256=_', `bodySHA256=${twilio.getExpectedBodyHash(c.body.toString())}`);
}

/** An AWS SNS stand-in: an RSA signing certificate served over loopback HTTPS, and messages signed with its key. */
interface SnsFixture {
  key: KeyObject;
  otherKey: KeyObject;
  certUrl: string;
  ca: string;
  message(): Buffer;
  signer(key: KeyObject): Signer;
  officialCheck(body: Buffer): Promise<boolean>;
}

async function startSns(t: TestContext): Promise<SnsFixture> {
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=sns.test',
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const key = createPrivateKey({
    key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    format: 'der',
    type: 'pkcs8',
  });
  const pem = cert.toString('pem');
  // The certificate is both the one messages are signed with and the server's own.
  const server = https.createServer({ cert: pem, key: key.export({ format: 'pem', type: 'pkcs8' }) }, (_req, res) =>
    res.end(pem),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => server.close(() => r())));
  const certUrl = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/SimpleNotificationService-test.pem`;
  const fields = (body: Buffer) => JSON.parse(body.toString()) as Record<string, string>;
  return {
    key,
    otherKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    certUrl,
    ca: pem,
    message: () =>
      json({
        Type: 'Notification',
        MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
        TopicArn: 'arn:aws:sns:us-west-2:123456789012:MyTopic',
        Subject: 'My First Message',
        Message: 'Hello world!',
        Timestamp: '2012-05-02T00:54:06.655Z',
        SignatureVersion: '2',
        SigningCertURL: certUrl,
      }),
    signer: (signingKey) => async (body) => {
      const m = fields(body);
      const canonical = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
        .map((k) => `${k}\n${m[k]}\n`)
        .join('');
      // The signature lives in the body: the signer hands back no headers and rewrites `body` in place.
      const signed = json({ ...m, Signature: sign('sha256', Buffer.from(canonical), signingKey).toString('base64') });
      signedBodies.set(body, signed);
      return { 'x-amz-sns-message-type': 'Notification' };
    },
    // sns-validator fetches with the global agent, whose options win over a request's: the
    // test CA is set there only while it checks, and the key removed after.
    officialCheck: (body) => {
      https.globalAgent.options.ca = pem;
      return new Promise<boolean>((resolve) =>
        new MessageValidator(/^127\.0\.0\.1:\d+$/).validate(body.toString(), (err) => resolve(!err)),
      ).finally(() => delete https.globalAgent.options.ca);
    },
  };
}

/** SNS signs inside the body: the signed body of each unsigned one. */
const signedBodies = new WeakMap<Buffer, Buffer>();

/** Signs `c.body` (or `body`) and returns what to send. */
async function signed(c: Case, url: string, secret: string, signer: Signer, timestamp: number, body = c.body) {
  const headers = await signer(body, secret, url, timestamp);
  return { headers, body: signedBodies.get(body) ?? body };
}

function post(edge: TestEdge, path: string, headers: Record<string, string>, body: Buffer): Promise<FetchResult> {
  return request(`https://${host}:${edge.ports.https}${path}`, { ca: edge.caPem, method: 'POST', headers, body });
}

function assertRefused(c: Case, res: FetchResult, what: string): void {
  if (c.provider === 'xero') {
    assert.equal(res.status, 401, `${c.provider} ${what}`);
    assert.equal(res.body.length, 0, `${c.provider} ${what}: an empty body`);
    return;
  }
  assert.equal(res.status, 403, `${c.provider} ${what}`);
  assert.equal(res.headers['ngrok-error-code'], 'ERR_NGROK_3204', `${c.provider} ${what}`);
}

test('webhook_verification: every provider signed by its own library passes byte-identical; tampered, wrongly keyed and stale requests never reach the service', async (t) => {
  const sns = await startSns(t);
  const edge = await startTestEdge(t, {
    config: { webhooks: { maxBodyBytes, sns: { hostPattern: /^127\.0\.0\.1:\d+$/, ca: sns.ca } } },
  });
  const ngrok = apiClient(edge);
  await reserve(ngrok, host);
  const seen: Array<{ path: string; body: Buffer }> = [];
  const service = await startHttpService(t, (req: http.IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
      res.end('received');
    });
  });
  await forwardTo(t, edge, {
    addr: service.port,
    labels: { app: 'webhooks' },
  });
  const all = cases(sns);
  const backendId = await tunnelGroupBackend(ngrok, { app: 'webhooks' });
  const { id: edgeId, routeIds } = await httpsEdge(
    ngrok,
    [`${host}:443`],
    all.map((c) => ({ match: pathFor(c).split('?')[0]!, backendId })),
  );
  for (const [i, c] of all.entries())
    await ngrok.edgeModules.edgeRouteWebhookVerificationModule.replace({
      edgeId,
      id: routeIds[i]!,
      module: { provider: c.provider, secret: c.secret },
    });
  await edge.snapshots.settled();

  for (const c of all) {
    const path = pathFor(c);
    const url = `https://${host}:${edge.ports.https}${path}`;
    const good = await signed(c, url, c.secret, c.sign, now());
    if (c.officialCheck)
      assert.ok(await c.officialCheck(good.body, good.headers, url), `${c.provider}: its own verifier agrees`);
    seen.length = 0;
    const res = await post(edge, path, good.headers, good.body);
    assert.equal(res.status, 200, `${c.provider} ${path}: ${res.body.toString()}`);
    assert.equal(res.body.toString(), 'received');
    assert.equal(seen.length, 1);
    assert.ok(seen[0]!.body.equals(good.body), `${c.provider}: the service got the very bytes`);

    seen.length = 0;
    if (c.signsBody !== false) {
      const tampered = Buffer.from(good.body);
      tampered[tampered.length >> 1] ^= 1;
      assertRefused(c, await post(edge, path, good.headers, tampered), 'tampered body');
    }
    const wrong = await signed(c, url, c.wrong.secret, c.wrong.sign ?? c.sign, now());
    assertRefused(c, await post(edge, path, wrong.headers, wrong.body), 'wrong secret');
    if (c.timestamped) {
      const old = await signed(c, url, c.secret, c.sign, stale());
      assertRefused(c, await post(edge, path, old.headers, old.body), 'stale timestamp');
    }
    assertRefused(c, await post(edge, path, {}, c.body), 'no signature');
    assert.equal(seen.length, 0, `${c.provider}: the service saw none of the refused requests`);
  }

  // SNS fetches certificates only from an allowed host: the same message pointing elsewhere is refused.
  const snsCase = all.find((c) => c.provider === 'sns')!;
  const elsewhere = Buffer.from(snsCase.body.toString().replace('127.0.0.1', 'localhost'));
  const moved = await signed(snsCase, '', '', snsCase.sign, now(), elsewhere);
  assertRefused(snsCase, await post(edge, '/sns', moved.headers, moved.body), 'certificate URL off the SNS hosts');

  // Past the bound: refused with 413 whether the length is declared or the chunks run over.
  const big = Buffer.alloc(maxBodyBytes + 1, 'a');
  const gh = all.find((c) => c.provider === 'github')!;
  const bigSigned = await signed(gh, '', gh.secret, gh.sign, now(), big);
  const declared = await post(edge, '/github', bigSigned.headers, big);
  assert.equal(declared.status, 413);
  assert.equal(declared.headers['portico-error-code'], 'ERR_EDGE_WEBHOOK_BODY_TOO_LARGE');
  const { Readable } = await import('node:stream');
  const streamed = await request(`https://${host}:${edge.ports.https}/github`, {
    ca: edge.caPem,
    method: 'POST',
    headers: bigSigned.headers,
    body: Readable.from([big.subarray(0, 40_000), big.subarray(40_000)]),
  });
  assert.equal(streamed.status, 413);
  assert.equal(seen.length, 0);
});
