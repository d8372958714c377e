import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withEdits } from './respond.ts';

test('withEdits: what an edit sets goes out as a header can carry it', () => {
  const headers = withEdits({ host: 'a.example', 'x-bytes': 'caf\u00e9' }, [
    (h) => {
      h['x-split'] = 'one\r\ntwo\0three';
      h['x-script'] = ['\u5f20\u4f1f', 'plain'];
    },
  ]);
  assert.equal(headers['x-split'], 'one  two three', 'controls become spaces: a value cannot split the head');
  assert.deepEqual(headers['x-script'], [Buffer.from('\u5f20\u4f1f', 'utf8').toString('latin1'), 'plain']);
  assert.equal(headers['x-bytes'], 'caf\u00e9', 'Latin-1 bytes from the request go as they came');
  assert.equal(headers.host, 'a.example');
});
