/**
 * OpenID Connect as a LoginFlow, with `openid-client`: issuer discovery (cached; a failure is
 * retried after `discoveryRetryMs`), the authorization-code flow with PKCE S256, state and
 * nonce, ID-token validation by the library (signature, issuer, audience, expiry, nonce), and
 * userinfo for a name or email the ID token lacks. The `oidc` module uses it with any issuer;
 * the `oauth` module's Google and Microsoft providers with theirs (and a refresh from userinfo).
 */
import type { Configuration } from 'openid-client';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import type { Logger } from '../../../log/logger.ts';
import { onFirstUse } from '../../../packages/on-first-use.ts';
import type { Identity, LoginFlow, LoginStart, Remembered } from '../identity/login-flow.ts';

/** openid-client, loaded by the first OpenID login rather than at start (issue 13). */
const openidClient = onFirstUse(() => import('openid-client'), 'discovery');

/** Milliseconds after a failed discovery before the issuer is asked again. */
export const discoveryRetryMs = 10_000;
/** Seconds a discovery or token request may take. */
const requestTimeoutS = 10;

/** What an OpenID login is made with. */
export interface OidcFlowSettings {
  /** Names the provider in the session key: "oidc", or an OAuth provider ("google"). */
  provider: string;
  issuer: string;
  clientId: string;
  scopes: string[];
  /** The claim that is the user id (Microsoft's stable `oid`); `sub` when absent or empty. */
  idClaim?: string;
  /** Keep the access token for the service (`ngrok-oauth-access-token`) and for refreshes. */
  keepAccessToken?: boolean;
}

export class OidcLoginFlow implements LoginFlow {
  readonly provider: string;
  readonly clientId: string;
  private config: Promise<Configuration> | undefined;
  private failedAt = 0;

  constructor(
    private readonly plan: OidcFlowSettings,
    private readonly clientSecret: string,
    /** Whether an http:// issuer is allowed (tests); else discovery refuses it. */
    private readonly allowHttpIssuer: boolean,
    private readonly logger: Logger,
  ) {
    this.provider = plan.provider;
    this.clientId = plan.clientId;
  }

  async begin(state: string, redirectUri: string, forceLogin: boolean): Promise<LoginStart> {
    const client = await openidClient();
    const config = await this.discover();
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: this.plan.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    };
    if (forceLogin) params.prompt = 'login';
    return { url: client.buildAuthorizationUrl(config, params).href, remember: { verifier, nonce } };
  }

  async complete(callback: URL, redirectUri: string, expectedState: string, r: Remembered): Promise<Identity> {
    const client = await openidClient();
    const config = await this.discover();
    // openid-client sends the URL it is given, without its query, as the redirect URI: that of
    // the login (the common callback origin's when the edge has one), with the callback's query.
    const current = new URL(redirectUri);
    current.search = callback.search;
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: r.verifier!,
      expectedState,
      expectedNonce: r.nonce!,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    const id = this.idOf(claims);
    let user = { ...identityOf(claims), id };
    if ((!user.email || !user.name) && config.serverMetadata().userinfo_endpoint) {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      user = { ...identityOf({ ...info, ...stripEmpty(claims) }), id };
    }
    return this.plan.keepAccessToken ? { ...user, accessToken: tokens.access_token } : user;
  }

  /** The user from userinfo with the access token of their login (the id stays the login's). */
  async refresh(user: Identity): Promise<Identity> {
    if (!user.accessToken) throw new PorticoError(ErrorCode.ERR_EDGE_IDENTITY_PROVIDER_ERROR, 'no access token');
    const client = await openidClient();
    const config = await this.discover();
    const info = await client.fetchUserInfo(config, user.accessToken, client.skipSubjectCheck);
    return { ...identityOf(info), id: user.id, accessToken: user.accessToken };
  }

  private idOf(claims: Claims): string {
    const id = this.plan.idClaim ? claims[this.plan.idClaim] : undefined;
    return typeof id === 'string' && id ? id : String(claims.sub);
  }

  private async discover(): Promise<Configuration> {
    if (this.config) return this.config;
    if (Date.now() - this.failedAt < discoveryRetryMs)
      throw new PorticoError(ErrorCode.ERR_EDGE_OIDC_DISCOVERY_FAILED, 'retried shortly');
    const issuer = new URL(this.plan.issuer);
    if (issuer.protocol !== 'https:' && !this.allowHttpIssuer)
      throw new PorticoError(ErrorCode.ERR_EDGE_OIDC_DISCOVERY_FAILED, 'the issuer must be https');
    const client = await openidClient();
    if (this.config) return this.config;
    const auth = this.clientSecret ? client.ClientSecretBasic(this.clientSecret) : client.None();
    const execute = issuer.protocol === 'https:' ? [] : [client.allowInsecureRequests];
    this.config = client
      .discovery(issuer, this.clientId, undefined, auth, { execute, timeout: requestTimeoutS })
      .catch((err: unknown) => {
        this.logger.warn('OpenID issuer discovery failed', { issuer: this.plan.issuer, err });
        this.config = undefined;
        this.failedAt = Date.now();
        throw new PorticoError(ErrorCode.ERR_EDGE_OIDC_DISCOVERY_FAILED, this.plan.issuer, { cause: err });
      });
    return this.config;
  }
}

type Claims = Record<string, unknown>;

/** id, name and email from ID-token or userinfo claims. */
function identityOf(c: Claims): Identity {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const given = [text(c.given_name), text(c.family_name)].filter(Boolean).join(' ');
  return {
    id: text(c.sub),
    name: text(c.name) || given || text(c.preferred_username),
    email: text(c.email),
    ...(typeof c.email_verified === 'boolean' ? { emailVerified: c.email_verified } : {}),
  };
}

/** Claims with a value: an empty ID-token claim does not hide the userinfo one. */
function stripEmpty(c: Claims): Claims {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== '' && v !== undefined && v !== null));
}
