import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from './logger.ts';

test("lines to stderr in one turn of the event loop leave in one write, in order, at the turn's end", async (t) => {
  const writes: string[] = [];
  t.mock.method(process.stderr, 'write', (text: string) => writes.push(text));
  const logger = createLogger({ level: 'info' });
  logger.info('first', { n: 1 });
  logger.child({ component: 'access' }).info('second', { n: 2 });
  assert.deepEqual(writes, [], 'nothing written before the turn ends');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /^\S+ INFO {2}first n=1\n\S+ INFO {2}second component=access n=2\n$/);
});

test('lines pending when the process exits are written first', () => {
  const script = [
    `import { createLogger } from ${JSON.stringify(join(import.meta.dirname, 'logger.ts'))};`,
    'const logger = createLogger();',
    "for (let i = 0; i < 3; i++) logger.info('line', { i });",
    'process.exit(0);',
  ].join('\n');
  const { stderr, status } = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(status, 0);
  assert.deepEqual(
    stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/^\S+ /, '')),
    ['INFO  line i=0', 'INFO  line i=1', 'INFO  line i=2'],
  );
});
