import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseOutput } from './agent-output.ts';

const tty = { stdoutIsTty: true, stderrIsTty: true, term: 'xterm-256color' };

test('on a terminal: the status screen, and logs off unless stderr is redirected or --log says elsewhere', () => {
  assert.deepEqual(chooseOutput({}, tty), { screen: true, log: 'false' });
  assert.deepEqual(chooseOutput({}, { ...tty, stderrIsTty: false }), { screen: true, log: 'stderr' });
  assert.deepEqual(chooseOutput({ log: 'false' }, tty), { screen: true, log: 'false' });
  assert.deepEqual(chooseOutput({ log: 'stderr' }, { ...tty, stderrIsTty: false }), { screen: true, log: 'stderr' });
});

test('no screen when logs would share its terminal, on a dumb terminal, or off a terminal', () => {
  assert.deepEqual(chooseOutput({ log: 'stdout' }, tty), { screen: false, log: 'stdout' });
  assert.deepEqual(chooseOutput({ log: 'stderr' }, tty), { screen: false, log: 'stderr' });
  assert.deepEqual(chooseOutput({}, { ...tty, term: 'dumb' }), { screen: false, log: 'stderr' });
  assert.deepEqual(chooseOutput({}, { stdoutIsTty: false, stderrIsTty: true }), { screen: false, log: 'stderr' });
  assert.deepEqual(chooseOutput({ log: 'stdout' }, { stdoutIsTty: false, stderrIsTty: false }), {
    screen: false,
    log: 'stdout',
  });
});
