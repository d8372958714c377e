import assert from 'node:assert/strict';
import { test } from 'node:test';
import { piecesOf, recordPiecesSender } from './record-pieces.ts';

test('piecesOf: in order, within the records and bytes of a call; an event larger than a call goes alone', () => {
  const limits = { records: 3, bytes: 10, recordOverhead: 1 };
  assert.deepEqual(piecesOf(['a', 'b', 'c', 'd'], limits), [['a', 'b', 'c'], ['d']]);
  assert.deepEqual(piecesOf(['aaaa', 'bbbb', 'cc'], limits), [['aaaa', 'bbbb'], ['cc']]);
  assert.deepEqual(piecesOf(['a', 'x'.repeat(20), 'b'], limits), [['a'], ['x'.repeat(20)], ['b']]);
  assert.deepEqual(piecesOf([], limits), []);
});

test('recordPiecesSender: a retry of the batch sends only what was refused or not sent', async () => {
  const sent: string[][] = [];
  let answer: (piece: string[]) => string[] | 'fail' = () => [];
  const sender = recordPiecesSender({ records: 2, bytes: 100, recordOverhead: 0 }, async (piece) => {
    sent.push(piece);
    const refused = answer(piece);
    if (refused === 'fail') throw new Error('unreachable');
    return { refused, reason: refused.length ? 'ThroughputExceeded' : undefined };
  });
  const batch = ['e1', 'e2', 'e3', 'e4', 'e5'];
  // The first piece loses e2; the second call fails whole.
  answer = (piece) => (piece[0] === 'e1' ? ['e2'] : 'fail');
  await assert.rejects(sender.send(batch), /unreachable/);
  assert.deepEqual(sent, [
    ['e1', 'e2'],
    ['e3', 'e4'],
  ]);
  assert.equal(sender.undelivered?.(batch), 4, 'e2, and e3 to e5');
  // The retry: e2 and what the failed call did not deliver.
  sent.length = 0;
  answer = (piece) => piece.filter((e) => e === 'e5');
  await assert.rejects(sender.send(batch), /1 of 4 events refused \(ThroughputExceeded\)/);
  assert.deepEqual(sent, [
    ['e2', 'e3'],
    ['e4', 'e5'],
  ]);
  assert.equal(sender.undelivered?.(batch), 1);
  sent.length = 0;
  answer = () => [];
  assert.deepEqual(await sender.send(batch), { discarded: 0 });
  assert.deepEqual(sent, [['e5']]);
  // Done with: the same batch again starts over (a new batch, as Delivery never resends one).
  sent.length = 0;
  await sender.send(batch);
  assert.equal(sent.flat().length, 5);
});

test('recordPiecesSender: events a call refuses for good are reported once the batch is through', async () => {
  let calls = 0;
  const sender = recordPiecesSender({ records: 2, bytes: 100, recordOverhead: 0 }, async (piece) => {
    calls++;
    if (calls === 2) throw new Error('unreachable');
    return { refused: [], discarded: piece.length === 2 ? 1 : 0 };
  });
  const batch = ['e1', 'e2', 'e3'];
  await assert.rejects(sender.send(batch));
  // The first piece's discarded event is remembered across the retry.
  assert.deepEqual(await sender.send(batch), { discarded: 1 });
});
