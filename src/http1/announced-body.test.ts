import assert from 'node:assert/strict';
import { test } from 'node:test';
import { announcedBodyLength, announcedResponseLength } from './announced-body.ts';

test('a body length is announced by Content-Length alone, never beside Transfer-Encoding or in doubt', () => {
  const cases: Array<[string[], number | undefined]> = [
    [['Content-Length', '12'], 12],
    [['content-length', ' 0 '], 0],
    [['Host', 'a', 'CONTENT-LENGTH', '7', 'content-length', '7'], 7],
    [['Content-Length', '7', 'Content-Length', '8'], undefined],
    [['Content-Length', '7, 7'], undefined],
    [['Content-Length', '-1'], undefined],
    [['Content-Length', '0x10'], undefined],
    [['Content-Length', '1234567890123456'], undefined],
    [['Transfer-Encoding', 'chunked', 'Content-Length', '5'], undefined],
    [['Content-Length', '5', 'transfer-encoding', 'gzip, chunked'], undefined],
    [['Host', 'a'], undefined],
    [[], undefined],
  ];
  for (const [headers, length] of cases) assert.equal(announcedBodyLength(headers), length, headers.join(': '));
});

test('a response to HEAD, a 204 and a 304 announce no body, whatever their length says', () => {
  const sized = ['Content-Length', '12'];
  assert.equal(announcedResponseLength('GET', 200, sized), 12);
  assert.equal(announcedResponseLength('POST', 404, sized), 12);
  assert.equal(announcedResponseLength('HEAD', 200, sized), undefined);
  assert.equal(announcedResponseLength('GET', 204, sized), undefined);
  assert.equal(announcedResponseLength('GET', 304, sized), undefined);
  assert.equal(announcedResponseLength('GET', 200, ['Transfer-Encoding', 'chunked']), undefined);
});
