import type { Secret } from '../../store/secret.ts';
import type { IdpMetadata } from './saml.ts';

/**
 * Modules as plain data: what the data plane builds its module chain from. One plan per enabled
 * module, compiled from a stored module (API) or an agent's bind options, so both configure the
 * same thing. Plans hold no parsed objects; the data plane compiles patterns and addresses once
 * per snapshot (src/edge/modules).
 */

/** One IP rule: a CIDR in canonical form and what a match means. */
export interface IpRulePlan {
  cidr: string;
  action: 'allow' | 'deny';
}

/** A header value with `${…}` variables, as text and parts (literal text alternating with variable names). */
export interface HeaderTemplate {
  text: string;
  /** Even indexes are literal text, odd indexes variable names (`conn.client_ip`). */
  parts: string[];
}

export interface IpRestrictionPlan {
  name: 'ip_restriction';
  /** A source is let in when it matches an allow rule and no deny rule. */
  rules: IpRulePlan[];
}

export interface HeadersPlan {
  name: 'request_headers' | 'response_headers';
  /** Header names (lower case) removed first. */
  remove: string[];
  /** Then these are set, name (lower case) and value. */
  add: Array<[string, HeaderTemplate]>;
}

export interface CircuitBreakerPlan {
  name: 'circuit_breaker';
  trippedDurationMs: number;
  rollingWindowMs: number;
  numBuckets: number;
  volumeThreshold: number;
  /** Fraction of 5xx responses (0..1) above which the circuit opens. */
  errorThreshold: number;
}

export interface CompressionPlan {
  name: 'compression';
}

/** A webhook provider whose signatures the edge checks (config/modules/webhook-verification.ts). */
export type WebhookProvider =
  'github' | 'gitlab' | 'intercom' | 'sendgrid' | 'shopify' | 'slack' | 'sns' | 'stripe' | 'twilio' | 'xero';

export type WebhookVerificationPlan = {
  name: 'webhook_verification';
  provider: WebhookProvider;
} & SecretSource;

/**
 * Where a module's secret (a webhook signing secret, an OpenID client secret) comes from. A route's is stored sealed for the owning account
 * (`accountId`) and opened by the data plane (`sealedSecret`, "" when none). An agent gives its
 * secret in plaintext in its bind options (`agentSecret`, `reveal()` it): it lives in memory as
 * long as the endpoint and is never stored, so it is never sealed; its JSON form is redacted,
 * so an agent plan is built once at bind, never compared by its JSON. Exactly one of the two is set.
 */
export type SecretSource =
  | { sealedSecret: string; accountId: string; agentSecret?: undefined }
  | { agentSecret: Secret; sealedSecret?: undefined; accountId?: undefined };

/** The login session of an identity module (oauth, oidc, saml). */
export interface IdentitySessionPlan {
  /** Prefix of the session and nonce cookie names. Default "ngrok.". */
  cookiePrefix: string;
  /** Seconds without a request after which the user logs in again. */
  inactivityTimeoutS: number;
  /** Seconds after a login after which the user logs in again, whatever their activity. */
  maximumDurationS: number;
  /** OPTIONS requests (CORS preflights) pass unauthenticated. */
  optionsPassthrough: boolean;
}

/** Who may pass once logged in: both lists empty lets every user the provider logged in. */
export interface IdentityConstraints {
  /** Email addresses, lower case. */
  allowEmails: string[];
  /** Email domains ("example.com"), lower case. */
  allowDomains: string[];
  /**
   * Groups the provider reports (GitHub: organization handles "org" and team handles
   * "org/team"), lower case; a member of one passes too.
   */
  allowGroups?: string[];
}

/** The OAuth providers this edge logs users in with. */
export const oauthProvidersEnforced = ['github', 'google', 'microsoft', 'facebook'] as const;
export type OAuthProvider = (typeof oauthProvidersEnforced)[number];

export type OAuthPlan = {
  name: 'oauth';
  provider: OAuthProvider;
  /** The operator's own application: its client id (the secret is the SecretSource). */
  clientId: string;
  /** Scopes asked for: the provider's defaults and the module's own. */
  scopes: string[];
  session: IdentitySessionPlan;
  constraints: IdentityConstraints;
  /** GitHub constraints as given (lower case), in order: organization handles, team handles "org/team". */
  organizations: string[];
  teams: string[];
  /** Seconds between re-checks of the user with the provider; at least 180. */
  checkIntervalS: number;
} & SecretSource;

export type OidcPlan = {
  name: 'oidc';
  /** The issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  scopes: string[];
  session: IdentitySessionPlan;
  constraints: IdentityConstraints;
} & SecretSource;

/**
 * A SAML service provider on one route. Its URLs are on the edge's first hostport
 * (`https://<host>/saml/<route id>/…`); the request-signing private key is the module's secret.
 */
export type SamlPlan = {
  name: 'saml';
  /** The route id, in the SP paths `/saml/<ownerId>/{metadata,acs,slo}`. */
  ownerId: string;
  /** The SP entity id (its metadata URL): the audience assertions must name. */
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  idp: IdpMetadata;
  forceAuthn: boolean;
  allowIdpInitiated: boolean;
  /** Group names of which a user must be in one (attribute "groups"); empty lets everyone in. */
  authorizedGroups: string[];
  nameidFormat: string;
  /** The self-signed certificate of the request-signing key (PEM); "" when the module has none. */
  signingCertificatePem: string;
  session: IdentitySessionPlan;
  constraints: IdentityConstraints;
} & SecretSource;

export interface UserAgentFilterPlan {
  name: 'user_agent_filter';
  /** RE2 patterns; a User-Agent matching one is let through even if a deny pattern matches. */
  allow: string[];
  /** RE2 patterns; a matching User-Agent is refused. */
  deny: string[];
}

export interface WebsocketTcpConverterPlan {
  name: 'websocket_tcp_converter';
}

export interface BasicAuthPlan {
  name: 'basic_auth';
  realm: string;
  /** Username and the SHA-256 of the password (hex); compared in constant time. */
  credentials: Array<{ username: string; passwordSha256: string }>;
}

/** A module on the HTTP path of a route or agent endpoint. */
export type HttpModulePlan =
  | IpRestrictionPlan
  | BasicAuthPlan
  | OAuthPlan
  | OidcPlan
  | SamlPlan
  | UserAgentFilterPlan
  | WebhookVerificationPlan
  | CircuitBreakerPlan
  | RequestHeadersOnly
  | ResponseHeadersOnly
  | CompressionPlan
  | WebsocketTcpConverterPlan;

type RequestHeadersOnly = HeadersPlan & { name: 'request_headers' };
type ResponseHeadersOnly = HeadersPlan & { name: 'response_headers' };

export type HttpModuleName = HttpModulePlan['name'];

/**
 * The one fixed order modules run in on the way in (DESIGN.md §5): who may connect, who the
 * client is (basic auth, then a login with an identity provider), whether the request is genuine, whether the upstream may be tried, what the
 * upstream sees; on the way back the same chain unwinds, so response headers are set before
 * the body is compressed. The WebSocket-to-TCP converter is last: it replaces the backend call.
 */
export const httpModuleOrder: readonly HttpModuleName[] = [
  'ip_restriction',
  'basic_auth',
  'oauth',
  'oidc',
  'saml',
  'user_agent_filter',
  'webhook_verification',
  'circuit_breaker',
  'request_headers',
  'compression',
  'response_headers',
  'websocket_tcp_converter',
];

/** Sorts plans into the fixed order. */
export function inModuleOrder(plans: readonly HttpModulePlan[]): HttpModulePlan[] {
  return [...plans].sort((a, b) => httpModuleOrder.indexOf(a.name) - httpModuleOrder.indexOf(b.name));
}
