import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { newEventJson } from './envelope.ts';
import { takeSpool, writeSpool } from './spool.ts';

test('the spool is one JSON document of the queued events, read back as their text, then removed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-spool-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'events-spool.json');
  const events = [
    newEventJson('ip_policy_created.v0', { id: 'ipp_1' }),
    newEventJson('ip_policy_created.v0', { id: 'ipp_2' }),
  ];
  await writeSpool(path, [
    { destination_id: 'ed_"1', events },
    { destination_id: 'ed_2', events: [] },
  ]);
  const doc = JSON.parse(await readFile(path, 'utf8')) as unknown;
  assert.deepEqual(doc, {
    version: 1,
    destinations: [{ destination_id: 'ed_"1', events: events.map((e) => JSON.parse(e)) }],
  });
  assert.deepEqual(await takeSpool(path), [{ destination_id: 'ed_"1', events }]);
  assert.deepEqual(await takeSpool(path), [], 'taken once');
});

test('a spool that cannot be read gives nothing, an entry that cannot be read is passed over; the file is removed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-spool-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'events-spool.json');
  for (const text of ['{not json', 'null', '{"version":1,"destinations":[{"destination_id":7,"events":[]},null]}']) {
    await writeFile(path, text);
    assert.deepEqual(await takeSpool(path), []);
    await assert.rejects(readFile(path));
  }
  await writeFile(path, '{"version":1,"destinations":[null,{"destination_id":"ed_1","events":[{"a":1}]}]}');
  assert.deepEqual(await takeSpool(path), [{ destination_id: 'ed_1', events: ['{"a":1}'] }], 'the good entry kept');
});
