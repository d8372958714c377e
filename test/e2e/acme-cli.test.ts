/** `portico edge --acme-…`: the flags reach the ACME manager of a real edge process. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { defer } from '../support/defer.ts';
import { tempDir } from '../support/edge.ts';
import { pebbleMissing, preparePebble } from '../support/pebble.ts';
import { eventually } from '../support/services.ts';
import { porticoBin as bin } from '../support/cli.ts';

const port = (addr: string) => Number(addr.slice(addr.lastIndexOf(':') + 1));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, read freely.
type Body = Record<string, any>;

test(
  'portico edge --acme-directory-url --acme-ca-cert --acme-email issues from that CA',
  { skip: pebbleMissing },
  async (t) => {
    const pebble = await preparePebble(t);
    const dataDir = await tempDir(t);
    const caFile = join(dataDir, 'pebble-ca.pem');
    await writeFile(caFile, pebble.caCertPem);
    const listen = ['--agent-addr', '--https-addr', '--http-addr', '--api-addr'].flatMap((flag) => [
      flag,
      '127.0.0.1:0',
    ]);
    const args = [
      'edge',
      '--data-dir',
      dataDir,
      ...listen,
      '--tcp-ports',
      '0',
      '--acme-directory-url',
      pebble.directoryUrl,
      '--acme-ca-cert',
      caFile,
      '--acme-email',
      'ops@acme.test',
    ];
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    defer(t, () => child.kill('SIGKILL'));
    const bootstrap = await eventually(
      async () => JSON.parse(await readFile(join(dataDir, 'bootstrap.json'), 'utf8')) as Record<string, string>,
      20_000,
      `bootstrap.json (${stderr})`,
    );
    await pebble.start({ httpPort: port(bootstrap.http_addr!), tlsPort: port(bootstrap.https_addr!) });

    const api = (method: string, path: string, body?: unknown) =>
      fetch(bootstrap.api_url + path, {
        method,
        headers: {
          authorization: `Bearer ${bootstrap.api_key}`,
          'ngrok-version': '2',
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Body }));
    const created = await api('POST', '/reserved_domains', {
      domain: 'cli.acme.test',
      certificate_management_policy: {},
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const domain = await eventually(
      async () => {
        const { body } = await api('GET', `/reserved_domains/${created.body.id}`);
        return body.certificate && body.certificate_management_status?.renews_at ? body : undefined;
      },
      20_000,
      'an issued certificate',
    );
    const cert = await api('GET', `/tls_certificates/${domain!.certificate.id}`);
    assert.deepEqual(cert.body.subject_alternative_names.dns_names, ['cli.acme.test']);
    assert.match(cert.body.issuer_common_name, /Pebble Intermediate CA/);
    assert.equal((await stat(join(dataDir, 'acme', 'account-key.pem'))).mode & 0o777, 0o600);
    assert.match(pebble.log(), /There are now 1 accounts in memory/);
  },
);
