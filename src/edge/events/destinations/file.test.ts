import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { silentLogger } from '../../../log/logger.ts';
import { newEventJson } from '../envelope.ts';
import { fileDestination } from './file.ts';

test('file target: NDJSON appended, rotated by size, at most max_files old files kept', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-file-target-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sender = fileDestination.create({ path: 'sub/events.ndjson', max_bytes: 1024, max_files: 2 }, 'acc', {
    openSecret: () => '',
    fileDir: dir,
    logger: silentLogger,
  });
  const sent = Array.from({ length: 40 }, (_, i) =>
    newEventJson('ip_policy_created.v0', { id: `ipp_${i}`, pad: 'x'.repeat(60) }),
  );
  for (const event of sent) await sender.send([event]);
  const sentIds = sent.map((e) => (JSON.parse(e) as { object: { id: string } }).object.id);

  const files = (await readdir(join(dir, 'sub'))).sort();
  assert.deepEqual(files, ['events.ndjson', 'events.ndjson.1', 'events.ndjson.2']);
  const lines = async (name: string) =>
    (await readFile(join(dir, 'sub', name), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { object: { id: string } });
  for (const name of files) {
    const text = await readFile(join(dir, 'sub', name), 'utf8');
    assert.ok(Buffer.byteLength(text) <= 1024, `${name} is ${Buffer.byteLength(text)} bytes`);
  }
  // The newest events are in the current file, the oldest kept ones in .2; older ones are gone.
  const current = await lines('events.ndjson');
  assert.equal(current.at(-1)!.object.id, 'ipp_39');
  const oldest = (await lines('events.ndjson.2'))[0]!.object.id;
  const kept = [...(await lines('events.ndjson.2')), ...(await lines('events.ndjson.1')), ...current];
  assert.deepEqual(
    kept.map((e) => e.object.id),
    sentIds.slice(sentIds.indexOf(oldest)),
  );
});
