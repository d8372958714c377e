import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { hashAll, nextStream, sessionPair, sha256, writeAll } from '../../test/support/mux-pair.ts';
import { collectTransferBuffers } from './transfer-buffers.ts';

const MiB = 1024 * 1024;

/** Opens a session pair and moves `data` from client to server, byte-exact; resolves a turn later. */
async function moveThrough(t: TestContext, data: Buffer): Promise<void> {
  const { client, server } = await sessionPair(t);
  const accepted = nextStream(server);
  const stream = client.openStream(7);
  const received = hashAll(await accepted);
  await writeAll(stream, data);
  stream.end();
  assert.equal((await received).hash, sha256(data));
  await new Promise((resolve) => setImmediate(resolve));
}

test('sessions run the collector once per so many bytes they read and write, and never without one', async (t) => {
  let runs = 0;
  collectTransferBuffers(() => runs++, MiB, 0);
  t.after(() => collectTransferBuffers(null));
  const data = randomBytes(8 * MiB);
  await moveThrough(t, data);
  // Written by one session and read by the other: 16 MiB moved in this process. At most one run
  // is pending at a time, so a turn that moves several MiB runs it once.
  assert.ok(runs >= 4 && runs <= 16, `${runs} runs`);

  collectTransferBuffers(null);
  const before = runs;
  await moveThrough(t, data);
  assert.equal(runs, before);
});

test('the collector runs at most once in its interval, however many bytes pass', async (t) => {
  let runs = 0;
  collectTransferBuffers(() => runs++, MiB, 60_000);
  t.after(() => collectTransferBuffers(null));
  await moveThrough(t, randomBytes(8 * MiB));
  assert.equal(runs, 1);
});
