/**
 * What an identity provider implements for the shared login workflow (identity-module.ts):
 * where to send the user, who came back, and (OAuth) who they are now. OpenID Connect, the
 * OAuth providers and SAML implement it.
 */

/** Who logged in, as the session keeps it and the service sees it (`ngrok-auth-*`). */
export interface Identity {
  /** The provider's stable user id (OIDC `sub`). */
  id: string;
  /** Full name; "" when the provider gave none. */
  name: string;
  /** Email address; "" when the provider gave none. */
  email: string;
  /** False when the provider says the email address is unverified; then email constraints refuse it. */
  emailVerified?: boolean;
  /** Provider-specific headers to the service (`ngrok-auth-github-team`), by lower-case name. */
  extras?: Record<string, string>;
  /** The user's access token, for providers that hand it on (`ngrok-oauth-access-token`). */
  accessToken?: string;
  /** Groups the constraints name that the user is a member of (GitHub "org", "org/team"), lower case. */
  groups?: string[];
  /** What the provider needs to end its own session of the user (SAML: the NameID's format and qualifiers, the SessionIndex). */
  providerSession?: Record<string, string>;
}

/** Provider state kept between `begin` and `complete` (in the encrypted nonce cookie): verifier, nonce. */
export type Remembered = Record<string, string>;

export interface LoginStart {
  /** The provider's authorization URL the user is redirected to. */
  url: string;
  remember: Remembered;
}

/**
 * The paths of a provider not reached through `/oauth2/*` (SAML: `/saml/<route id>/…`). Its
 * answer comes back as a form POST to `callbackPath` with the state in `stateField` (SAML's
 * HTTP-POST binding and RelayState). Such an answer may also arrive without a login this
 * browser started (IdP-initiated): `complete` then gets `{}` as remembered values and decides.
 */
export interface ProviderEndpoints {
  callbackPath: string;
  stateField: string;
  /** Ends the session, as `/oauth2/logout` does. */
  logoutPath: string;
  /** Documents served as they are, by path (SAML's SP metadata), each made on first request. */
  documents: ReadonlyMap<string, { contentType: string; body: () => Promise<string> }>;
}

export interface LoginFlow {
  /** Names the provider in the session key: a session of one provider never opens under another. */
  readonly provider: string;
  readonly clientId: string;
  /** Set for a provider with its own paths and a POST callback; absent for `/oauth2/callback`. */
  readonly endpoints?: ProviderEndpoints;
  /**
   * Starts a login: the authorization URL carrying `state` and `redirectUri`. `forceLogin`
   * asks the provider to authenticate the user again even if it has a session (/oauth2/authorize).
   */
  begin(state: string, redirectUri: string, forceLogin: boolean): Promise<LoginStart>;
  /**
   * Completes a login from the callback URL (code and state already matched to the nonce
   * cookie). Throws a PorticoError with the page's code, or any error for a provider failure.
   */
  complete(callback: URL, redirectUri: string, expectedState: string, remembered: Remembered): Promise<Identity>;
  /**
   * The refresh phase (OAuth): who `user` is now, read again from the provider with their access
   * token. Throws when the grant no longer works; then the user logs in again.
   */
  refresh?(user: Identity): Promise<Identity>;
  /**
   * A visit to the logout path: `request` is its URL with a POSTed form's fields added,
   * `rawQuery` the query string as sent (a redirect binding's signature covers it), `user` who
   * the browser's session is for (undefined without one). A provider's message there (SAML's
   * LogoutRequest) is checked and answered; a visit without one may end the provider's session
   * too (SAML single logout started here). Resolves with the URL to send the browser on to, or
   * undefined when there is nowhere to go; throws a PorticoError when a message must be refused.
   * The session here ends either way.
   */
  endSession?(request: URL, rawQuery: string, posted: boolean, user: Identity | undefined): Promise<string | undefined>;
}
