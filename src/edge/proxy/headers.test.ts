import assert from 'node:assert/strict';
import type http from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { forwardedRequestHeaders } from './headers.ts';

function incoming(headers: http.IncomingHttpHeaders): http.IncomingMessage {
  return { headers, socket: new Socket() } as unknown as http.IncomingMessage;
}

test('identity headers from the client never reach the service, on requests and upgrades alike', () => {
  const req = incoming({
    host: 'app.example.com',
    'ngrok-auth-user-id': '0',
    'ngrok-auth-email': 'root@evil.test',
    'ngrok-auth-github-team': 'admins',
    'ngrok-oauth-access-token': 'stolen',
    'x-keep': 'yes',
    connection: 'upgrade',
    upgrade: 'websocket',
  });
  for (const keepUpgrade of [false, true]) {
    const out = forwardedRequestHeaders(req, 'https', keepUpgrade, 'h1');
    assert.deepEqual(
      Object.keys(out).filter((n) => n.startsWith('ngrok-')),
      [],
    );
    assert.equal(out['x-keep'], 'yes');
  }
});
