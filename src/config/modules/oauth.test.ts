import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../errors/catalogue.ts';
import { ConfigProblem } from '../compile/problem.ts';
import { compileAgentOAuth, compileOAuth } from './oauth.ts';

const refusedWith = (code: string, field: RegExp) => (err: unknown) =>
  err instanceof ConfigProblem && err.code === code && field.test(err.message);

test('oauth on a route: own application, scopes, lower-case constraints, check interval raised to 3 minutes', () => {
  const plan = compileOAuth(
    {
      provider: {
        github: {
          client_id: 'app',
          client_secret: 'sealed',
          scopes: ['repo'],
          email_domains: ['@Example.com'],
          organizations: ['ACME'],
          teams: ['Acme/Devs'],
        },
      },
      auth_check_interval: 60,
    },
    'routes[0].oauth',
    'acct',
  );
  assert.equal(plan.provider, 'github');
  assert.deepEqual(plan.scopes, ['read:user', 'user:email', 'read:org', 'repo']);
  assert.deepEqual(plan.constraints, {
    allowEmails: [],
    allowDomains: ['example.com'],
    allowGroups: ['acme', 'acme/devs'],
  });
  assert.equal(plan.checkIntervalS, 180);
  assert.equal(
    compileOAuth({ provider: { google: { client_id: 'a', client_secret: 'b' } } }, 'o', 'x').checkIntervalS,
    180,
  );
  const hourly = { provider: { google: { client_id: 'a', client_secret: 'b' } }, auth_check_interval: 3600 };
  assert.equal(compileOAuth(hourly, 'o', 'x').checkIntervalS, 3600);
});

test('oauth refuses a managed application and a provider this edge does not log in with', () => {
  assert.throws(
    () => compileOAuth({ provider: { google: { email_domains: ['a.test'] } } }, 'routes[1].oauth', 'acct'),
    refusedWith(
      ErrorCode.ERR_OAUTH_MANAGED_APP_UNSUPPORTED,
      /^routes\[1\]\.oauth\.provider\.google\.client_id: .*own OAuth application/,
    ),
  );
  assert.throws(
    () => compileOAuth({ provider: { twitch: { client_id: 'a', client_secret: 'b' } } }, 'oauth', 'acct'),
    refusedWith(ErrorCode.ERR_MODULE_NOT_ENFORCED, /twitch/),
  );
  const agent = { provider: 'GitHub', clientId: '', clientSecret: '', scopes: [], allowEmails: [], allowDomains: [] };
  assert.throws(
    () => compileAgentOAuth(agent),
    refusedWith(ErrorCode.ERR_OAUTH_MANAGED_APP_UNSUPPORTED, /^OAuth\.client_id/),
  );
  assert.throws(
    () => compileAgentOAuth({ ...agent, provider: 'amazon', clientId: 'a', clientSecret: 'b' }),
    refusedWith(ErrorCode.ERR_MODULE_NOT_ENFORCED, /amazon/),
  );
  const plan = compileAgentOAuth({ ...agent, clientId: 'a', clientSecret: 'b', allowEmails: [' Alice@Example.com'] });
  assert.equal(plan.provider, 'github');
  assert.deepEqual(plan.constraints.allowEmails, ['alice@example.com']);
  assert.equal(JSON.stringify(plan).includes('"b"'), false, 'the agent secret is redacted');
});
