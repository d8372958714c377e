import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { silentLogger } from '../../../log/logger.ts';
import { noDecisions } from '../../pipeline/decisions.ts';
import type { ModuleExchange, ResponseHead } from '../../pipeline/exchange.ts';
import { identityModule } from './identity-module.ts';
import type { Identity, LoginFlow } from './login-flow.ts';

/** What one request through the module came to. */
interface Outcome {
  passed: boolean;
  status?: number;
  code?: string;
  headers: Record<string, unknown>;
  setCookies: string[];
}

test('refresh phase: the user is read again after the check interval; refused, retried, or a new login', async (t) => {
  let provider: Identity = { id: '7', name: 'Alice', email: 'alice@example.com', accessToken: 'tok' };
  let refreshes = 0;
  let grantRevoked = false;
  const flow: LoginFlow = {
    provider: 'github',
    clientId: 'app',
    begin: (state) => Promise.resolve({ url: `https://idp.test/auth?state=${state}`, remember: {} }),
    complete: () => Promise.resolve(provider),
    refresh: () => {
      refreshes++;
      return grantRevoked ? Promise.reject(new Error('401 Bad credentials')) : Promise.resolve(provider);
    },
  };
  const module = identityModule({
    name: 'oauth',
    session: { cookiePrefix: 'ngrok.', inactivityTimeoutS: 0, maximumDurationS: 86_400, optionsPassthrough: false },
    constraints: { allowEmails: [], allowDomains: ['example.com'] },
    flow,
    checkIntervalS: 180,
    configDigest: 'd',
    cookieKey: Buffer.alloc(32, 1),
    decisions: noDecisions,
    logger: silentLogger,
  });
  const jar = new Map<string, string>();
  const realNow = Date.now;
  let now = realNow();
  Date.now = () => now;
  t.after(() => (Date.now = realNow));

  const visit = async (url: string): Promise<Outcome> => {
    const out: Outcome = { passed: false, headers: {}, setCookies: [] };
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const ex = {
      req: { url, method: 'GET', headers: { host: 'app.test', cookie }, socket: {} } as unknown as http.IncomingMessage,
      scheme: 'https',
      endpointId: 'rt_1',
      identity: undefined,
      refuse: (code: string) => void (out.code = code),
      answer: (status: number, headers: Record<string, string | string[]>) => {
        out.status = status;
        out.headers = headers;
        out.setCookies.push(...[headers['set-cookie'] ?? []].flat());
      },
      editUpstreamHeaders: (edit: (h: Record<string, unknown>) => void) => edit(out.headers),
      shapeResponse: (shape: (head: ResponseHead) => void) => {
        const head = { status: 200, headers: [] as string[] };
        shape(head);
        out.setCookies.push(...head.headers.filter((_, i) => i % 2 === 1));
      },
    };
    await module.handle(ex as unknown as ModuleExchange, () => Promise.resolve(void (out.passed = true)));
    for (const line of out.setCookies) {
      const [pair] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (value && !/max-age=0/i.test(line)) jar.set(name, value);
      else jar.delete(name);
    }
    return out;
  };
  const login = async () => {
    const start = await visit('/');
    const state = new URL(String(start.headers.location)).searchParams.get('state')!;
    assert.equal((await visit(`/oauth2/callback?code=c&state=${state}`)).status, 302);
  };

  await login();
  assert.equal((await visit('/')).passed, true);
  assert.equal(refreshes, 0, 'no refresh within the interval');

  // After the interval the provider is asked again; a user it now places outside the domain is refused.
  now += 181_000;
  provider = { ...provider, email: 'alice@elsewhere.test' };
  assert.equal((await visit('/')).code, ErrorCode.ERR_EDGE_IDENTITY_DENIED);
  assert.equal((await visit('/')).code, ErrorCode.ERR_EDGE_IDENTITY_DENIED);
  assert.equal(refreshes, 2, 'refused users are refreshed on every request');

  // Allowed again: passes with the new data, and the check time is written into the cookie.
  provider = { ...provider, email: 'alice@example.com', name: 'Alice Renamed' };
  const back = await visit('/');
  assert.equal(back.passed, true);
  assert.equal(back.headers['ngrok-auth-user-name'], 'Alice Renamed');
  assert.equal(back.headers['ngrok-oauth-access-token'], 'tok');
  assert.equal((await visit('/')).passed, true);
  assert.equal(refreshes, 3, 'checked once, then not until the interval passes again');

  // A grant the provider no longer honours starts a new login.
  now += 181_000;
  grantRevoked = true;
  const relogin = await visit('/');
  assert.equal(relogin.status, 302);
  assert.match(String(relogin.headers.location), /^https:\/\/idp\.test\/auth/);
});
