import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, levelOf, type LoggerOptions } from './logger.ts';

function capture(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, sink: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

test('json lines carry lvl, t, msg and the fields of the logger and the call', () => {
  const { logger, lines } = capture({ format: 'json' });
  logger.child({ component: 'api' }).info('started', { port: 8000 });
  const line = JSON.parse(lines[0]!);
  assert.equal(line.lvl, 'info');
  assert.equal(line.msg, 'started');
  assert.equal(line.component, 'api');
  assert.equal(line.port, 8000);
  assert.ok(!Number.isNaN(Date.parse(line.t)));
});

test('errors are logged as their message and code, without a stack', () => {
  const { logger, lines } = capture({ format: 'json' });
  logger.warn('failed', { err: Object.assign(new Error('boom'), { code: 'X' }) });
  assert.deepEqual(JSON.parse(lines[0]!).err, { message: 'boom', code: 'X' });
});

test('text lines quote values a client could use to split them', () => {
  const { logger, lines } = capture({ format: 'text' });
  logger.info('request', { path: '/a b\n', status: 200 });
  assert.match(lines[0]!, /^\S+ INFO {2}request path="\/a b\\n" status=200\n$/);
});

test('levels below the minimum write nothing', () => {
  const { logger, lines } = capture({ level: 'warn' });
  logger.info('no');
  logger.debug('no');
  logger.error('yes');
  assert.equal(lines.length, 1);
});

test('a component takes its own level, else its nearest parent, else the default', () => {
  const options: LoggerOptions = { level: 'info', components: { edge: 'warn', 'edge.proxy': 'debug', access: 'off' } };
  assert.equal(levelOf('edge.proxy', options), 'debug');
  assert.equal(levelOf('edge.proxy.pool', options), 'debug');
  assert.equal(levelOf('edge.tunnels', options), 'warn');
  assert.equal(levelOf('api', options), 'info');
  assert.equal(levelOf(undefined, options), 'info');
  const { logger, lines } = capture(options);
  logger.child({ component: 'edge.proxy' }).debug('shown');
  logger.child({ component: 'edge.tunnels' }).info('hidden');
  logger.child({ component: 'access' }).error('hidden');
  logger.debug('hidden');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /shown/);
});

test("a child's child carries the fields of both, and a child keeps its parent's component level", () => {
  const { logger, lines } = capture({ format: 'json', components: { api: 'warn' } });
  const api = logger.child({ component: 'api' });
  api.child({ session: 's1' }).info('hidden');
  api.child({ session: 's1' }).child({ stream: 3 }).warn('shown');
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]!);
  assert.deepEqual([line.component, line.session, line.stream, line.msg], ['api', 's1', 3, 'shown']);
});
