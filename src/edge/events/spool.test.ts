import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
  assert.deepEqual(await takeSpool(path), { destinations: [{ destination_id: 'ed_"1', events }] });
  assert.deepEqual(await takeSpool(path), { destinations: [] }, 'taken once');
  await assert.rejects(readFile(`${path}.unreadable`), 'nothing kept aside');
});

test('a spool that cannot be read gives nothing, an entry that cannot be read is passed over; the file is moved aside with the reason', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-spool-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'events-spool.json');
  for (const [text, problem] of [
    ['{not json', /^not JSON/],
    ['null', /^not a version 1 spool$/],
    ['{"version":2,"destinations":[]}', /^not a version 1 spool$/],
    ['{"version":1,"destinations":[{"destination_id":7,"events":[]},null]}', /^2 of 2 entries unreadable$/],
  ] as const) {
    await writeFile(path, text);
    const taken = await takeSpool(path);
    assert.deepEqual(taken.destinations, []);
    assert.match(taken.problem ?? '', problem);
    assert.equal(taken.keptAt, `${path}.unreadable`);
    await assert.rejects(readFile(path));
    assert.equal(await readFile(`${path}.unreadable`, 'utf8'), text, 'kept for inspection');
  }
  const partly = '{"version":1,"destinations":[null,{"destination_id":"ed_1","events":[{"a":1}]}]}';
  await writeFile(path, partly);
  assert.deepEqual(
    await takeSpool(path),
    {
      destinations: [{ destination_id: 'ed_1', events: ['{"a":1}'] }],
      problem: '1 of 2 entries unreadable',
      keptAt: `${path}.unreadable`,
    },
    'the good entry kept',
  );
  assert.equal(await readFile(`${path}.unreadable`, 'utf8'), partly);
});

test('a spool that cannot be opened is left where it is, and says so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-spool-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'events-spool.json');
  await mkdir(path);
  const taken = await takeSpool(path);
  assert.deepEqual(taken.destinations, []);
  assert.match(taken.problem ?? '', /^cannot be read \(EISDIR/);
  assert.equal(taken.keptAt, path);
  assert.ok((await stat(path)).isDirectory(), 'left in place');
});
