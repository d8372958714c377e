/**
 * The documented way to make a certificate for zero-knowledge TLS (docs/configuration.md, "A
 * certificate for zero-knowledge TLS"), run as written against a real edge's local CA.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { test } from 'node:test';
import { jsonLine, spawnPortico } from '../support/cli.ts';
import { startTestEdge, tempDir } from '../support/edge.ts';
import { startHttpService } from '../support/services.ts';

/** The lines of the first ```sh block after `heading`, with backslash continuations joined. */
async function documentedCommands(heading: string): Promise<string[]> {
  const doc = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, `a sh block after ${heading}`);
  return block
    .replace(/\\\n\s*/g, '')
    .trim()
    .split('\n');
}

test('the documented openssl command makes a certificate from the local CA that `portico http --crt/--key` serves', async (t) => {
  const [openssl, agentLine, ...rest] = await documentedCommands('### A certificate for zero-knowledge TLS');
  assert.equal(rest.length, 0);
  assert.match(openssl!, /^openssl req /);
  assert.equal(agentLine, 'portico http 3000 --domain app.localhost --crt cert.pem --key key.pem');

  const edge = await startTestEdge(t);
  const cwd = await tempDir(t);
  execFileSync('bash', ['-c', openssl!.replaceAll('~/.portico', edge.dataDir)], { cwd, stdio: 'pipe' });
  const cert = new X509Certificate(await readFile(join(cwd, 'cert.pem')));
  assert.ok(cert.checkIssued(new X509Certificate(edge.caPem)), 'issued by the local CA');
  assert.equal(cert.checkHost('app.localhost'), 'app.localhost');
  assert.equal(cert.ca, false);

  const web = await startHttpService(t, (req, res) => res.end(`zk ${req.url}`));
  const args = agentLine!
    .split(' ')
    .slice(1)
    .map((a) => (a === '3000' ? String(web.port) : a.endsWith('.pem') ? join(cwd, a) : a));
  const agent = spawnPortico(t, [...args, '--log', 'stdout', '--log-format', 'json'], {
    PORTICO_DATA_DIR: edge.dataDir,
    XDG_CONFIG_HOME: join(cwd, 'config'),
  });
  const started = await jsonLine(agent, (l) => l.msg === 'started tunnel');
  assert.equal(started.url, `https://app.localhost:${edge.ports.https}`);

  // A client that trusts the local CA, as one does after `portico trust`.
  const socket = tls.connect({
    host: '127.0.0.1',
    port: edge.ports.https,
    servername: 'app.localhost',
    ca: edge.caPem,
  });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  assert.equal(
    socket.getPeerX509Certificate()?.fingerprint256,
    cert.fingerprint256,
    'the agent presents the documented certificate',
  );
  socket.end('GET /docs HTTP/1.1\r\nHost: app.localhost\r\nConnection: close\r\n\r\n');
  let response = '';
  for await (const chunk of socket) response += String(chunk);
  assert.match(response, /^HTTP\/1\.1 200 OK\r\n[\s\S]*zk \/docs$/);
});
