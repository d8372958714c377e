import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PathRouter } from './path-router.ts';

test('exact beats prefix, longer prefix beats shorter, host-qualified selectors apply to their host', () => {
  const router = new PathRouter([
    { matchType: 'path_prefix', match: '/', value: 'root' },
    { matchType: 'path_prefix', match: '/api', value: 'api' },
    { matchType: 'path_prefix', match: '/api/v2', value: 'v2' },
    { matchType: 'exact_path', match: '/api/health', value: 'health' },
    { matchType: 'path_prefix', match: 'admin.example.com/api', value: 'admin-api' },
  ]);
  assert.equal(router.match('a.example.com', '/'), 'root');
  assert.equal(router.match('a.example.com', '/api/users'), 'api');
  assert.equal(router.match('a.example.com', '/api/v2/users'), 'v2');
  assert.equal(router.match('a.example.com', '/api/health'), 'health');
  assert.equal(router.match('a.example.com', '/api/health/x'), 'api');
  assert.equal(router.match('admin.example.com', '/api/users'), 'admin-api');
  assert.equal(new PathRouter([{ matchType: 'exact_path', match: '/x', value: 1 }]).match('h', '/y'), undefined);
});
