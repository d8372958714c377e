import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ApiError } from './errors.ts';
import { compileFilter, loadFilterLanguage } from './filter.ts';

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
