// Mutual TLS on agent endpoints: the official SDK's `mutual_tls_cas` (bind option MutualTLSCA)
// makes the edge ask for a client certificate on the endpoint's name, checked the way an HTTPS
// edge with mutual_tls checks it; a bad bundle refuses the bind.
import assert from 'node:assert/strict';
import https from 'node:https';
import { test, type TestContext } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { endpointSpec } from '../../src/cli/agent-commands.ts';
import type { EndpointFlags } from '../../src/cli/agent-flags.ts';
import { loopbackLookup } from '../support/client.ts';
import { forwardTo, startTestEdge, tempDir, type TestEdge } from '../support/edge.ts';
import { rawAgent } from '../support/raw-agent.ts';
import { startHttpService } from '../support/services.ts';
import { issueTestCert, makeTestCa } from '../support/x509-pki.ts';
import { sdkForward, sdkSession } from '../support/sdk.ts';

type Outcome = { status: number; body: string } | { error: string };

/** One GET to the HTTPS port for `name` (SNI), with an optional client certificate; `host` overrides Host. */
function get(
  edge: TestEdge,
  name: string,
  options: { cert?: string; key?: string; host?: string } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: name,
        port: edge.ports.https,
        path: '/',
        servername: name,
        lookup: loopbackLookup,
        agent: false,
        ca: edge.caPem,
        cert: options.cert,
        key: options.key,
        headers: options.host ? { host: options.host } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

async function subjectService(t: TestContext): Promise<number> {
  const service = await startHttpService(t, (req, res) =>
    res.end(`subject=${req.headers['portico-client-cert-subject'] ?? '(none)'}`),
  );
  return service.port;
}

test('official SDK mutual_tls_cas: a certificate from the CA passes with its subject; none, another CA and a connection made for another name are refused; an endpoint without it needs none', async (t) => {
  const edge = await startTestEdge(t);
  const trusted = await makeTestCa('Agent Client CA');
  const other = await makeTestCa('Some Other CA');
  const alice = await issueTestCert(trusted, { commonName: 'alice', usage: 'client' });
  const mallory = await issueTestCert(other, { commonName: 'alice', usage: 'client' });
  const port = await subjectService(t);
  await sdkForward(t, edge, { addr: port, domain: 'mtls.localhost', mutual_tls_cas: [trusted.certPem] });
  await sdkForward(t, edge, { addr: port, domain: 'open.localhost' });

  assert.deepEqual(await get(edge, 'mtls.localhost', { cert: alice.certPem, key: alice.keyPem }), {
    status: 200,
    body: 'subject=CN=alice,O=Portico Test',
  });
  for (const [what, cert] of [
    ['no certificate', undefined],
    ['another CA', mallory],
  ] as const) {
    const outcome = await get(edge, 'mtls.localhost', { cert: cert?.certPem, key: cert?.keyPem });
    assert.ok('error' in outcome, `${what} is refused: ${JSON.stringify(outcome)}`);
  }
  // The endpoint without the option still serves clients without a certificate.
  assert.deepEqual(await get(edge, 'open.localhost'), { status: 200, body: 'subject=(none)' });
  // A connection made for the open name cannot reach the mutual-TLS endpoint by its Host.
  const misdirected = await get(edge, 'open.localhost', { host: 'mtls.localhost' });
  assert.ok(
    'status' in misdirected && misdirected.status === 421 && misdirected.body.includes('ERR_EDGE_TLS_MISDIRECTED'),
    JSON.stringify(misdirected),
  );
});

test('official SDK mutual_tls_cas: a bundle that is not PEM, or holds a certificate that is not a CA, refuses the bind with its code', async (t) => {
  const edge = await startTestEdge(t);
  const ca = await makeTestCa('Agent Client CA');
  const leaf = await issueTestCert(ca, { commonName: 'alice', usage: 'client' });
  const port = await subjectService(t);
  const refused = (cas: string[], check: RegExp) =>
    assert.rejects(
      sdkForward(t, edge, { addr: port, domain: 'bad.localhost', mutual_tls_cas: cas }),
      (err: Error & { errorCode?: string }) => {
        assert.match(err.message, check, `${err.message} (${err.errorCode})`);
        assert.match(err.message, /MutualTLSCA/);
        return true;
      },
    );
  await refused(['not a certificate'], /ERR_CERT_PEM_INVALID/);
  await refused([ca.certPem, leaf.certPem], /ERR_NGROK_1913|ERR_CERT_NOT_CA/);
  assert.equal(edge.registry.tunnels.size, 0);
  assert.equal(edge.registry.httpsEndpoint('bad.localhost'), undefined);
});

test('listener builder mutualTlsca: pooled endpoints on one name must ask for the same client CAs, in any order', async (t) => {
  const edge = await startTestEdge(t);
  const one = await makeTestCa('CA One');
  const two = await makeTestCa('CA Two');
  const alice = await issueTestCert(one, { commonName: 'alice', usage: 'client' });
  const service = await startHttpService(t, (_req, res) => res.end('pooled'));
  const session = await sdkSession(t, edge);
  const pooled = (...cas: string[]) => {
    const builder = session.httpEndpoint().domain('pool.localhost').poolingEnabled(true);
    for (const ca of cas) builder.mutualTlsca(Buffer.from(ca));
    return builder.listenAndForward(service.url);
  };
  await pooled(one.certPem, two.certPem);
  // The same set in another order joins the pool.
  await pooled(two.certPem, one.certPem);
  assert.equal(edge.registry.httpsEndpoint('pool.localhost')?.tunnels.length, 2);
  await assert.rejects(pooled(one.certPem), /ERR_POOL_TLS_MISMATCH/);
  await assert.rejects(pooled(), /ERR_POOL_TLS_MISMATCH/);
  assert.equal(edge.registry.httpsEndpoint('pool.localhost')?.tunnels.length, 2);
  assert.deepEqual(await get(edge, 'pool.localhost', { cert: alice.certPem, key: alice.keyPem }), {
    status: 200,
    body: 'pooled',
  });
});

test('MutualTLSCA needs an https endpoint, and MutualTLSAtEdge on a tls endpoint stays refused (the edge passes its TLS through)', async (t) => {
  const edge = await startTestEdge(t);
  const ca = await makeTestCa('Agent Client CA');
  const mutualTlsCa = { mutual_tls_ca: Buffer.from(ca.certPem).toString('base64') };
  const raw = await rawAgent(t, edge);
  await raw.auth(edge.credentials.authtoken);
  const http = await raw.bind({ Proto: 'http', Opts: { Hostname: 'plain.localhost', MutualTLSCA: mutualTlsCa } });
  assert.match(String(http.Error), /ERR_OPTION_UNSUPPORTED/);
  assert.match(String(http.Error), /MutualTLSCA.*https/);
  const tls = await raw.bind({ Proto: 'tls', Opts: { Hostname: 'tls.localhost', MutualTLSCA: mutualTlsCa } });
  assert.match(String(tls.Error), /ERR_OPTION_UNSUPPORTED/);
  const atEdge = await raw.bind({ Proto: 'tls', Opts: { Hostname: 'tls.localhost', MutualTLSAtEdge: mutualTlsCa } });
  assert.match(String(atEdge.Error), /ERR_OPTION_UNSUPPORTED/);
  assert.match(String(atEdge.Error), /MutualTLSAtEdge.*TLSTermination/);
  // The raw wire form the SDK sends binds an https endpoint.
  const https = await raw.bind({ Proto: 'https', Opts: { Hostname: 'raw.localhost', MutualTLSCA: mutualTlsCa } });
  assert.equal(https.Error, '');
  assert.notEqual(edge.registry.httpsEndpoint('raw.localhost')?.tls.clientCaPem, undefined);
});

test('our agent: --mutual-tls-cas <file> reads the bundle, and the edge asks clients for a certificate from it', async (t) => {
  const edge = await startTestEdge(t);
  const dir = await tempDir(t);
  const ca = await makeTestCa('Agent Client CA');
  const alice = await issueTestCert(ca, { commonName: 'alice', usage: 'client' });
  const file = join(dir, 'client-cas.pem');
  await writeFile(file, ca.certPem);
  const port = await subjectService(t);
  const spec = endpointSpec('http', String(port), { mutualTlsCas: file } as EndpointFlags);
  assert.equal(spec.modules?.mutualTlsCa, ca.certPem);
  assert.throws(
    () => endpointSpec('http', '1', { mutualTlsCas: join(dir, 'nope.pem') } as EndpointFlags),
    /--mutual-tls-cas/,
  );
  await forwardTo(t, edge, {
    addr: `localhost:${port}`,
    domain: 'ours.localhost',
    mutualTlsCa: spec.modules!.mutualTlsCa!,
  });
  assert.deepEqual(await get(edge, 'ours.localhost', { cert: alice.certPem, key: alice.keyPem }), {
    status: 200,
    body: 'subject=CN=alice,O=Portico Test',
  });
  assert.ok('error' in (await get(edge, 'ours.localhost')), 'no certificate is refused');
});
