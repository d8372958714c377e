/**
 * `portico edge --oauth-provider github.apiUrl=https://ghe.example.com/api/v3` (repeatable): where
 * an OAuth provider lives when it is not the public service (GitHub Enterprise, one Azure tenant).
 * The URLs themselves are checked when the edge builds its provider table.
 */
import type { OAuthProvider } from '../config/modules/plans.ts';
import { defaultOAuthProviders, type OAuthProviderEndpoints } from '../edge/modules/oauth/providers.ts';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';

const fields: ReadonlyArray<keyof OAuthProviderEndpoints> = ['issuer', 'authorizeUrl', 'tokenUrl', 'apiUrl'];

/** Collects repeated `--oauth-provider` values (commander's option argument parser). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The overrides `<provider>.<field>=<url>` name, by provider. */
export function oauthProviderOverrides(
  values: readonly string[],
): Partial<Record<OAuthProvider, OAuthProviderEndpoints>> {
  const out: Partial<Record<OAuthProvider, OAuthProviderEndpoints>> = {};
  for (const value of values) {
    const m = /^([a-z]+)\.([A-Za-z]+)=(.+)$/.exec(value);
    const provider = m?.[1] as OAuthProvider | undefined;
    const field = m?.[2] as keyof OAuthProviderEndpoints | undefined;
    if (!m || !provider || !(provider in defaultOAuthProviders) || !field || !fields.includes(field))
      throw new PorticoError(
        ErrorCode.ERR_CONFIG_INVALID,
        `--oauth-provider: "${value}" is not <provider>.<field>=<url> with a provider of ${Object.keys(defaultOAuthProviders).join(', ')} and a field of ${fields.join(', ')}`,
      );
    out[provider] = { ...out[provider], [field]: m[3] };
  }
  return out;
}
