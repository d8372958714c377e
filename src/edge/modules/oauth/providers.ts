/**
 * Where each OAuth provider lives: the public services by default, overridable per provider in
 * the edge configuration (`identity.oauthProviders`) so a private deployment (GitHub Enterprise,
 * one Azure tenant) or a test's local stand-in is used instead.
 */
import type { OAuthProvider } from '../../../config/modules/plans.ts';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';

/** The endpoints of one provider; which ones apply depends on the provider. */
export interface OAuthProviderEndpoints {
  /** OpenID providers (google, microsoft): the issuer; discovery finds the other endpoints. */
  issuer?: string;
  /** Plain OAuth 2.0 providers (github, facebook): where the user is sent to log in. */
  authorizeUrl?: string;
  /** Where the code is exchanged for an access token. */
  tokenUrl?: string;
  /** The base of the profile API (`<apiUrl>/user`, `<apiUrl>/me`). */
  apiUrl?: string;
}

export type OAuthProviderTable = Record<OAuthProvider, OAuthProviderEndpoints>;

/** The public providers. Microsoft's `common` issuer takes every tenant (multi-tenant applications). */
export const defaultOAuthProviders: OAuthProviderTable = {
  github: {
    authorizeUrl: 'https://github.com/login/oauth/authorize',
    tokenUrl: 'https://github.com/login/oauth/access_token',
    apiUrl: 'https://api.github.com',
  },
  google: { issuer: 'https://accounts.google.com' },
  microsoft: { issuer: 'https://login.microsoftonline.com/common/v2.0' },
  facebook: {
    authorizeUrl: 'https://www.facebook.com/v19.0/dialog/oauth',
    tokenUrl: 'https://graph.facebook.com/v19.0/oauth/access_token',
    apiUrl: 'https://graph.facebook.com/v19.0',
  },
};

/**
 * The defaults with `overrides` applied field by field. Every URL must be https unless
 * `allowHttp` (tests); a bad one stops the edge at start, not at a user's login.
 */
export function oauthProviderTable(
  overrides: Partial<Record<OAuthProvider, OAuthProviderEndpoints>> = {},
  allowHttp = false,
): OAuthProviderTable {
  const table = { ...defaultOAuthProviders };
  for (const name of Object.keys(table) as OAuthProvider[]) {
    table[name] = { ...table[name], ...overrides[name] };
    for (const [key, value] of Object.entries(table[name])) {
      let url: URL | undefined;
      try {
        url = new URL(value as string);
      } catch {
        // Refused below.
      }
      if (!url || !(url.protocol === 'https:' || (allowHttp && url.protocol === 'http:')))
        throw new PorticoError(
          ErrorCode.ERR_CONFIG_INVALID,
          `identity.oauthProviders.${name}.${key}: "${String(value)}" is not an https URL`,
        );
    }
  }
  return table;
}
