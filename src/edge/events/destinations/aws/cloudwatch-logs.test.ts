import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { recordPiecesSender } from '../record-pieces.ts';
import { dayRuns, refusedForAge, sendByDay } from './cloudwatch-logs.ts';

test('dayRuns: events in time order, cut where a call would span a day or more', () => {
  const hour = 3600_000;
  const at = (h: number) => ({ message: String(h), timestamp: h * hour });
  const runs = dayRuns([at(30), at(1), at(2), at(25), at(60)]);
  assert.deepEqual(
    runs.map((run) => run.map((e) => e.message)),
    [['1', '2'], ['25', '30'], ['60']],
  );
  assert.deepEqual(dayRuns([]), []);
});

test('refusedForAge: the events PutLogEvents left out, from its indexes (inclusive ends, exclusive start)', () => {
  assert.equal(refusedForAge(undefined, 5), 0);
  assert.equal(refusedForAge({}, 5), 0);
  assert.equal(refusedForAge({ tooOldLogEventEndIndex: 1 }, 5), 2);
  assert.equal(refusedForAge({ expiredLogEventEndIndex: 2, tooOldLogEventEndIndex: 0 }, 5), 3);
  assert.equal(refusedForAge({ tooNewLogEventStartIndex: 3 }, 5), 2);
  assert.equal(refusedForAge({ tooOldLogEventEndIndex: 0, tooNewLogEventStartIndex: 4 }, 5), 2);
});

test('a batch over two days whose second call fails: the retry sends only the second day, once', async () => {
  const event = (id: string, at: string) => JSON.stringify({ event_id: id, event_timestamp: at });
  const batch = [event('b', '2026-12-02T09:00:00Z'), event('a', '2026-12-01T08:00:00Z')];
  const calls: string[][] = [];
  let failNext = 2;
  const put = async (run: InputLogEvent[]) => {
    calls.push(run.map((e) => (JSON.parse(e.message!) as { event_id: string }).event_id));
    if (calls.length === failNext) throw new Error('CloudWatch Logs PutLogEvents: ServiceUnavailable');
    return 0;
  };
  const sender = recordPiecesSender({ records: 10_000, bytes: 1024 * 1024, recordOverhead: 26 }, (piece) =>
    sendByDay(piece, put),
  );
  await assert.rejects(
    sender.send(batch),
    /1 of 2 events refused \(CloudWatch Logs PutLogEvents: ServiceUnavailable\)/,
  );
  failNext = 0;
  await sender.send(batch);
  assert.deepEqual(calls, [['a'], ['b'], ['b']], 'day one once, day two again after its failure');

  // A failure of the first call refuses nothing by itself: the error is the batch's.
  calls.length = 0;
  failNext = 1;
  await assert.rejects(sendByDay(batch, put), /ServiceUnavailable/);
  assert.deepEqual(calls, [['a']]);
});
