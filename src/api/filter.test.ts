import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ApiError } from './errors.ts';
import { compileFilter, loadFilterLanguage } from './filter.ts';
import { durationMs } from './filter-time.ts';

before(loadFilterLanguage);

const domain = {
  id: 'rd_1',
  domain: 'app.example.com',
  region: 'eu',
  description: '',
  certificate: null,
  labels: { app: 'web' },
  hostports: ['a:443', 'b:443'],
};

test('compileFilter: CEL over obj (equality, startsWith, in, boolean combinations, null, lists, RE2)', () => {
  const yes = [
    'obj.domain == "app.example.com"',
    'obj.domain.startsWith("app.") && obj.domain.endsWith(".com")',
    'obj.region in ["us", "eu"]',
    '!(obj.region == "us") || obj.id == "x"',
    'obj.certificate == null && obj.description == ""',
    'obj.labels.app == "web" && has(obj.labels.app)',
    'size(obj.hostports) == 2 && "a:443" in obj.hostports',
    'obj.hostports.exists(h, h.startsWith("b"))',
    'obj.domain.matches("(?i)^APP\\\\.")',
  ];
  for (const text of yes) assert.equal(compileFilter(text).matches(domain), true, text);
  assert.equal(compileFilter('obj.region in ["us", "ap"]').matches(domain), false);
});

test("compileFilter: ngrok's time helpers over the read shape's times", () => {
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const obj = { ...domain, created_at: hourAgo };
  const yes = [
    'obj.created_at > timestamp(time.now).subtract("7d")',
    'obj.created_at < timestamp(time.now)',
    'obj.created_at > timestamp(time.now).subtract("1h30m")',
    'obj.created_at < timestamp(time.now).subtract("59m")',
    'obj.created_at > timestamp("2020-01-01T00:00:00Z")',
    'timestamp(time.now).add("1d") > timestamp(time.now)',
    'obj.created_at.getFullYear() >= 2020',
  ];
  for (const text of yes) assert.equal(compileFilter(text).matches(obj), true, text);
  assert.equal(compileFilter('obj.created_at > timestamp(time.now).subtract("30m")').matches(obj), false);
  assert.throws(
    () => compileFilter('obj.created_at > timestamp(time.now).subtract("7 days")').matches(obj),
    /duration/,
  );
  assert.equal(durationMs('1h30m'), 5_400_000);
  assert.equal(durationMs('1.5s'), 1500);
  assert.throws(() => durationMs('1y'));
});

test('compileFilter: refused with a code and the field named', () => {
  const code = (text: string, obj: Record<string, unknown> = domain) => {
    try {
      compileFilter(text).matches(obj);
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.equal(err.details.field, 'filter');
      assert.equal(err.status, 400);
      return err.errorCode;
    }
    return 'accepted';
  };
  assert.equal(code('obj.domain =='), 'ERR_NGROK_250');
  assert.equal(code('obj.domain'), 'ERR_NGROK_250');
  assert.equal(code('obj.nope == 1'), 'ERR_NGROK_250');
  assert.equal(code('x'.repeat(1025)), 'ERR_FILTER_TOO_COSTLY');
  assert.equal(code(Array(170).fill('1==1').join('||')), 'ERR_FILTER_TOO_COSTLY');
  assert.equal(code('[1].all(a, [2].all(b, b > a))'), 'ERR_FILTER_TOO_COSTLY');
  assert.equal(code('obj.domain.matches("(a")'), 'ERR_NGROK_250');
});
