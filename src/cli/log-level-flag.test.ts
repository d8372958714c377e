import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogLevels } from './log-level-flag.ts';

test('a default level and levels by component', () => {
  assert.deepEqual(parseLogLevels('warn,edge.proxy=debug, api=error,access=off'), {
    level: 'warn',
    components: { 'edge.proxy': 'debug', api: 'error', access: 'off' },
  });
  assert.deepEqual(parseLogLevels('api=warn'), { level: 'info', components: { api: 'warn' } });
  assert.deepEqual(parseLogLevels('debug'), { level: 'debug', components: {} });
});

test('an unknown level is refused with the flag named', () => {
  assert.throws(() => parseLogLevels('loud'), { code: 'ERR_CONFIG_INVALID', message: /--log-level: "loud"/ });
  assert.throws(() => parseLogLevels('api=trace'), /--log-level/);
});
