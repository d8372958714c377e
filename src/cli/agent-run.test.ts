import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { AgentSession } from '../agent/session.ts';
import { startTestPeer } from '../../test/support/agent-peer.ts';
import { StreamType } from '../protocol/messages.ts';
import type { AgentPlan } from './agent-commands.ts';
import { endpointSpec, labeledSpec } from './agent-commands.ts';
import type { AgentFlags } from './agent-flags.ts';
import { runAgent } from './agent-run.ts';
import type { RunIo } from './agent-run.ts';

function capture(): RunIo & { out: string[]; err: string[]; codes: number[] } {
  const io = { out: [] as string[], err: [] as string[], codes: [] as number[] };
  return {
    ...io,
    stdout: { write: (s: string) => io.out.push(s) },
    stderr: { write: (s: string) => io.err.push(s) },
    exit: (code: number) => void io.codes.push(code),
  };
}

async function flagsFor(
  t: TestContext,
  serverAddr: string,
  caPem: string,
  extra: Partial<AgentFlags> = {},
): Promise<AgentFlags> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-run-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'ca.pem'), caPem);
  return {
    serverAddr,
    caCert: join(dir, 'ca.pem'),
    config: join(dir, 'portico.yml'),
    log: 'false',
    logFormat: 'text',
    logLevel: 'info',
    ...extra,
  };
}

test('runAgent starts every planned tunnel on one session and prints where each forwards', async (t) => {
  const peer = await startTestPeer(t);
  const flags = await flagsFor(t, peer.addr, peer.caPem, { authtoken: 'tok', region: 'eu' });
  const plan: AgentPlan = {
    flags,
    specs: () => [endpointSpec('http', '3000', {} as never), labeledSpec('8081', ['edge=e1'])],
    sessionMetadata: 'laptop',
  };
  const io = capture();
  const session = (await runAgent(plan, io)) as AgentSession;
  t.after(() => session.close());
  assert.deepEqual(io.codes, []);
  assert.equal(peer.conns.length, 1);
  assert.equal(peer.of(StreamType.Auth)[0]!.body.Extra.Metadata, 'laptop');
  assert.equal(peer.of(StreamType.Bind)[0]!.body.Extra.Region, 'eu');
  assert.equal(peer.of(StreamType.StartTunnelWithLabel)[0]!.body.Region, 'eu');
  assert.match(io.out[0]!, /^Forwarding https:\/\/h\d+\.edge\.test:8443 -> http:\/\/localhost:3000\n$/);
  assert.equal(io.out[1], 'Forwarding labeled tunnel edge=e1 -> http://localhost:8081\n');
});

test('json logs on stdout: one "started tunnel" object per tunnel and no friendly line', async (t) => {
  const peer = await startTestPeer(t);
  const flags = await flagsFor(t, peer.addr, peer.caPem, { log: 'stdout', logFormat: 'json' });
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => lines.push(s) > 0) as unknown as typeof process.stdout.write;
  const io = capture();
  let session: AgentSession | undefined;
  try {
    session = await runAgent({ flags, specs: () => [endpointSpec('tcp', '22', {} as never)] }, io);
    // Log lines to stdout leave once per turn of the event loop (log/stdio-lines.ts).
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.stdout.write = write;
  }
  t.after(() => session?.close());
  assert.deepEqual(io.out, []);
  const started = lines
    .flatMap((text) => text.split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'started tunnel');
  assert.equal(started.length, 1);
  assert.equal(started[0]!.lvl, 'info');
  assert.equal(started[0]!.name, 'command_line');
  assert.equal(started[0]!.addr, 'localhost:22');
  assert.match(String(started[0]!.url), /^tcp:\/\/edge\.test:\d+$/);
});

test('a refused authtoken prints ERROR with the edge message and code, and exits 1', async (t) => {
  const peer = await startTestPeer(t);
  peer.respond = () => ({ Version: '3', ClientId: '', Error: 'The authtoken is not valid.\nERR_AUTHTOKEN_INVALID' });
  const io = capture();
  const session = await runAgent({ flags: await flagsFor(t, peer.addr, peer.caPem), specs: () => [] }, io);
  assert.equal(session, undefined);
  assert.deepEqual(io.codes, [1]);
  assert.equal(io.err.join(''), 'ERROR: authentication failed: The authtoken is not valid. (ERR_AUTHTOKEN_INVALID)\n');
});

test('bad input (an unknown config tunnel) exits 1 before dialling', async (t) => {
  const peer = await startTestPeer(t);
  const io = capture();
  await runAgent(
    {
      flags: await flagsFor(t, peer.addr, peer.caPem),
      specs: () => {
        throw new Error('no tunnel named "x"');
      },
    },
    io,
  );
  assert.deepEqual(io.codes, [1]);
  assert.match(io.err[0]!, /^ERROR: no tunnel named "x"/);
  assert.equal(peer.conns.length, 0);
});

test('Stop from the edge exits 0; the edge stopping the last tunnel exits 1', async (t) => {
  const peer = await startTestPeer(t);
  const io = capture();
  const flags = await flagsFor(t, peer.addr, peer.caPem);
  const session = (await runAgent(
    { flags, specs: () => [endpointSpec('http', '3000', {} as never)] },
    io,
  )) as AgentSession;
  peer.command(StreamType.Stop, {});
  await once(session, 'stop');
  assert.deepEqual(io.codes, [0]);

  const io2 = capture();
  const second = (await runAgent(
    { flags, specs: () => [endpointSpec('http', '3000', {} as never)] },
    io2,
  )) as AgentSession;
  const closed = once(second, 'close');
  peer.command(StreamType.StopTunnel, {
    Id: second.tunnels[0]!.id,
    Message: 'revoked',
    ErrorCode: 'ERR_AUTHTOKEN_INVALID',
  });
  await closed;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(io2.codes, [1]);
  assert.equal(io2.err.join(''), 'ERROR: revoked (ERR_AUTHTOKEN_INVALID)\n');
});
