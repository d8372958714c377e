import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayRuns, refusedForAge } from './cloudwatch-logs.ts';

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
