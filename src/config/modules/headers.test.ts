import assert from 'node:assert/strict';
import test from 'node:test';
import { compileHeaders } from './headers.ts';

test('a header module adding or removing a framing header does not compile (one stored before the API refused it)', () => {
  assert.throws(
    () => compileHeaders('request_headers', { add: { 'Transfer-Encoding': 'chunked' } }, 'request_headers'),
    /request_headers\.add\.Transfer-Encoding: "transfer-encoding" frames the message/,
  );
  assert.throws(
    () => compileHeaders('response_headers', { remove: ['x-a', 'content-length'] }, 'response_headers'),
    /response_headers\.remove\[1\]: "content-length" frames the message .* cannot be removed/,
  );
  assert.throws(() => compileHeaders('request_headers', { remove: ['Host'] }, 'm'), /must carry "host"/);
  const plan = compileHeaders('request_headers', { add: { Host: 'svc.internal' }, remove: ['X-A'] }, 'm');
  assert.deepEqual({ add: plan.add.map(([name]) => name), remove: plan.remove }, { add: ['host'], remove: ['x-a'] });
});
