import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../errors/catalogue.ts';
import { oauthProviderOverrides } from './oauth-provider-flag.ts';

test('--oauth-provider: <provider>.<field>=<url>, repeated and merged per provider; anything else refused', () => {
  assert.deepEqual(
    oauthProviderOverrides([
      'github.authorizeUrl=https://ghe.example.com/login/oauth/authorize',
      'github.apiUrl=https://ghe.example.com/api/v3',
      'microsoft.issuer=https://login.microsoftonline.com/tenant-1/v2.0',
    ]),
    {
      github: {
        authorizeUrl: 'https://ghe.example.com/login/oauth/authorize',
        apiUrl: 'https://ghe.example.com/api/v3',
      },
      microsoft: { issuer: 'https://login.microsoftonline.com/tenant-1/v2.0' },
    },
  );
  for (const bad of ['github=https://x', 'myspace.apiUrl=https://x', 'github.homepage=https://x', 'github.apiUrl='])
    assert.throws(() => oauthProviderOverrides([bad]), { code: ErrorCode.ERR_CONFIG_INVALID }, bad);
});
