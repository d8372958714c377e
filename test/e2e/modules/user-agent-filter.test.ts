import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from '../../support/client.ts';
import { startTestEdge } from '../../support/edge.ts';
import { routeToAgent } from '../../support/modules.ts';
import { startHttpService } from '../../support/services.ts';

test('user_agent_filter: RE2 patterns; an allow match overrides a deny, a deny match is refused with 403', async (t) => {
  const edge = await startTestEdge(t);
  let served = 0;
  const service = await startHttpService(t, (_req, res) => {
    served++;
    res.end('served');
  });
  const route = await routeToAgent(t, edge, 'ua.example.com', service.port);
  // `(?i)` and `\Q…\E` (a literal) are RE2 syntax that a JavaScript RegExp would not take as meant.
  await route.ngrok.edgeModules.edgeRouteUserAgentFilterModule.replace({
    ...route.at,
    module: { allow: ['(?i)google-images'], deny: ['(?i)google', '^curl/\\d+\\.\\d+', '\\QBadBot+\\E'] },
  });
  await edge.snapshots.settled();
  const as = async (ua: string | undefined) => {
    const res = await request(`${route.url}/`, {
      ca: edge.caPem,
      headers: ua === undefined ? {} : { 'user-agent': ua },
    });
    return res.status === 200 ? 'served' : `${res.status} ${res.headers['ngrok-error-code']}`;
  };

  assert.equal(await as('Googlebot/2.1 (+http://www.google.com/bot.html)'), '403 ERR_NGROK_3211');
  assert.equal(await as('GOOGLE-Images/1.0'), 'served');
  assert.equal(await as('curl/8.5.0'), '403 ERR_NGROK_3211');
  assert.equal(await as('BadBot+/1'), '403 ERR_NGROK_3211');
  assert.equal(await as('Mozilla/5.0 (X11; Linux x86_64)'), 'served');
  // As with ngrok, a request without a User-Agent is refused unless an allow pattern matches "".
  assert.equal(await as(undefined), '403 ERR_NGROK_3211');
  assert.equal(served, 2);

  // Allow patterns alone refuse nothing; `^$` lets a missing User-Agent through.
  await route.ngrok.edgeModules.edgeRouteUserAgentFilterModule.replace({
    ...route.at,
    module: { allow: ['^curl/', '^$'], deny: [] },
  });
  await edge.snapshots.settled();
  assert.equal(await as('Mozilla/5.0'), 'served');
  assert.equal(await as(undefined), 'served');
});
