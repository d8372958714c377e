import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRouteHost, checkRouteHosts } from './route-hosts.ts';

const refused = (fn: () => void) => assert.throws(fn, { errorCode: 'ERR_ROUTE_MATCH_HOST_NOT_SERVED' });

test("a route's match host must be a hostport of the edge, exactly or under a wildcard", () => {
  const hostports = ['app.example.com:443', '*.dev.example.com:443'];
  for (const match of [
    '/',
    '/blog',
    'app.example.com',
    'app.example.com/blog',
    'a.dev.example.com/x',
    'a.b.dev.example.com',
  ])
    checkRouteHost({ match }, hostports);
  for (const match of ['example.com/', 'other.example.com', 'dev.example.com/x', 'xdev.example.com'])
    refused(() => checkRouteHost({ match }, hostports));
  refused(() => checkRouteHost({ match: 'app.example.com' }, []));
  checkRouteHosts(
    [
      { id: 'r1', match: '/a' },
      { id: 'r2', match: 'app.example.com/a' },
    ],
    ['app.example.com:443'],
  );
  refused(() => checkRouteHosts([{ id: 'r2', match: 'app.example.com/a' }], ['web.example.com:443']));
});
