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

test("--oauth-provider: a field the provider never reads is refused, naming the provider's own fields; inherited names are no provider", () => {
  const cases: Array<[string, RegExp]> = [
    [
      'google.tokenUrl=https://x',
      /google\.tokenUrl=https:\/\/x" names a field google does not read; google reads issuer$/,
    ],
    ['microsoft.apiUrl=https://x', /microsoft reads issuer$/],
    ['github.issuer=https://x', /github reads authorizeUrl, tokenUrl, apiUrl$/],
    ['facebook.issuer=https://x', /facebook reads authorizeUrl, tokenUrl, apiUrl$/],
    ['constructor.issuer=https://x', /names no provider this edge knows \(github, google, microsoft, facebook\)$/],
  ];
  for (const [value, pattern] of cases)
    assert.throws(
      () => oauthProviderOverrides([value]),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, ErrorCode.ERR_CONFIG_INVALID);
        assert.match(err.message.replace(/\)$/, ''), pattern);
        return true;
      },
      value,
    );
  assert.deepEqual(oauthProviderOverrides(['facebook.tokenUrl=https://fb.example/token']), {
    facebook: { tokenUrl: 'https://fb.example/token' },
  });
});
