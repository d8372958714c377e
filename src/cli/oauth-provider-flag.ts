/**
 * `portico edge --oauth-provider github.apiUrl=https://ghe.example.com/api/v3` (repeatable): where
 * an OAuth provider lives when it is not the public service (GitHub Enterprise, one Azure tenant).
 * The URLs themselves are checked when the edge builds its provider table.
 */
import type { OAuthProvider } from '../config/modules/plans.ts';
import { defaultOAuthProviders, type OAuthProviderEndpoints } from '../edge/modules/oauth/providers.ts';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';

/** Collects repeated `--oauth-provider` values (commander's option argument parser). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The fields `provider` reads: those of its defaults (google and microsoft an issuer, github and
 * facebook their three URLs). Another field would be stored and never read.
 */
function fieldsOf(provider: OAuthProvider): Array<keyof OAuthProviderEndpoints> {
  return Object.keys(defaultOAuthProviders[provider]) as Array<keyof OAuthProviderEndpoints>;
}

function isProvider(name: string): name is OAuthProvider {
  return Object.hasOwn(defaultOAuthProviders, name);
}

/** The overrides `<provider>.<field>=<url>` name, by provider. */
export function oauthProviderOverrides(
  values: readonly string[],
): Partial<Record<OAuthProvider, OAuthProviderEndpoints>> {
  const out: Partial<Record<OAuthProvider, OAuthProviderEndpoints>> = {};
  const refuse = (value: string, why: string) =>
    new PorticoError(ErrorCode.ERR_CONFIG_INVALID, `--oauth-provider: "${value}" ${why}`);
  for (const value of values) {
    const m = /^([a-z]+)\.([A-Za-z]+)=(.+)$/.exec(value);
    if (!m) throw refuse(value, 'is not <provider>.<field>=<url>');
    const [, provider, field, url] = m as unknown as [string, string, string, string];
    if (!isProvider(provider))
      throw refuse(value, `names no provider this edge knows (${Object.keys(defaultOAuthProviders).join(', ')})`);
    const known = fieldsOf(provider);
    if (!(known as string[]).includes(field))
      throw refuse(value, `names a field ${provider} does not read; ${provider} reads ${known.join(', ')}`);
    out[provider] = { ...out[provider], [field]: url };
  }
  return out;
}
