/**
 * Module options an agent asks the edge to apply to its endpoint (basic auth, IP restriction,
 * headers, …), named as ngrok's agent flags name them, and the bind `Opts` keys they are sent
 * as: the official SDK's (docs/PROTOCOL.md "Opts by protocol"), so the edge treats our agent
 * and ngrok's alike. The edge enforces them; it refuses an option it does not run.
 */
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { JsonObject } from '../protocol/messages.ts';

export interface EndpointModuleOptions {
  /** `user:password` pairs (at most 10; passwords of 8 to 128 characters). */
  basicAuth?: string[];
  /** CIDRs let in; the rest is refused. With only `cidrDeny`, everyone else is let in. */
  cidrAllow?: string[];
  /** CIDRs refused. */
  cidrDeny?: string[];
  /** gzip responses the client accepts compressed. */
  compression?: boolean;
  /** Fraction (0 to 1) of 5xx responses above which the edge stops sending requests for a while. */
  circuitBreaker?: number;
  /** `name: value` headers the service sees added. */
  requestHeaderAdd?: string[];
  requestHeaderRemove?: string[];
  /** `name: value` headers the client sees added. */
  responseHeaderAdd?: string[];
  responseHeaderRemove?: string[];
  /** The webhook provider whose signatures are checked (`github`, `stripe`, …), with `verifyWebhookSecret`. */
  verifyWebhook?: string;
  verifyWebhookSecret?: string;
  /** User-Agent patterns (RE2) let in, and refused. */
  uaFilterAllow?: string[];
  uaFilterDeny?: string[];
  websocketTcpConverter?: boolean;
  /**
   * `rewrite`: the service sees the Host of its own address; `preserve`: the Host the client sent
   * (the default, as ngrok's agent); any other value: that Host.
   */
  hostHeader?: string;
  /** PEM bundle of the CAs a client certificate must chain to; the edge asks every client for one (https only). */
  mutualTlsCa?: string;
  /** OAuth provider (`google`, `github`, `microsoft`, `facebook`): only users it signs in reach the service. */
  oauth?: string;
  /** Client id and secret of your own OAuth application (a self-hosted edge has no managed one). */
  oauthClientId?: string;
  oauthClientSecret?: string;
  /** OAuth scopes asked for. Default: the provider's scopes for name and email. */
  oauthScope?: string[];
  /** Email addresses, and email domains (`example.com`), let in; with neither, every signed-in user. */
  oauthAllowEmail?: string[];
  oauthAllowDomain?: string[];
  /** OpenID Connect issuer URL (discovery): only users it signs in reach the service. */
  oidc?: string;
  /** Client id and secret registered with the issuer. */
  oidcClientId?: string;
  oidcClientSecret?: string;
  /** Scopes asked for. Default `openid profile email`. */
  oidcScope?: string[];
  /** Email addresses, and email domains, let in; with neither, every signed-in user. */
  oidcAllowEmail?: string[];
  oidcAllowDomain?: string[];
}

/** Every option's name, for copying them from a larger options object. */
export const moduleOptionNames = [
  'basicAuth',
  'cidrAllow',
  'cidrDeny',
  'compression',
  'circuitBreaker',
  'requestHeaderAdd',
  'requestHeaderRemove',
  'responseHeaderAdd',
  'responseHeaderRemove',
  'verifyWebhook',
  'verifyWebhookSecret',
  'uaFilterAllow',
  'uaFilterDeny',
  'websocketTcpConverter',
  'hostHeader',
  'mutualTlsCa',
  ...identityOptionNames('oauth'),
  ...identityOptionNames('oidc'),
] as const satisfies ReadonlyArray<keyof EndpointModuleOptions>;

/** The bind `Opts` keys of `m` for an endpoint bound as `proto`; tcp and tls take the IP restriction only. */
export function moduleOpts(m: EndpointModuleOptions, proto: string): JsonObject {
  const out: JsonObject = {};
  if (m.hostHeader === '')
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      'hostHeader (--host-header): give "rewrite", "preserve" or a host, not an empty value',
    );
  if (!m.verifyWebhook && isSet(m.verifyWebhookSecret))
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      'verifyWebhookSecret (--verify-webhook-secret) needs verifyWebhook (--verify-webhook <provider>): without it no signature is checked',
    );
  if (m.cidrAllow?.length || m.cidrDeny?.length)
    out.IPRestriction = { allow_cidrs: m.cidrAllow ?? [], deny_cidrs: m.cidrDeny ?? [] };
  if (proto === 'tcp' || proto === 'tls') {
    const httpOnly = Object.entries(m).find(([k, v]) => k !== 'cidrAllow' && k !== 'cidrDeny' && isSet(v));
    if (httpOnly) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${httpOnly[0]} applies to http endpoints only`);
    return out;
  }
  if (m.basicAuth?.length) out.BasicAuth = { credentials: m.basicAuth.map(credential) };
  if (m.compression) out.Compression = {};
  if (m.circuitBreaker) out.CircuitBreaker = { error_threshold: m.circuitBreaker };
  const hostAdd =
    m.hostHeader && m.hostHeader !== 'rewrite' && m.hostHeader !== 'preserve' ? [`host:${m.hostHeader}`] : [];
  const requestAdd = [...hostAdd, ...(m.requestHeaderAdd ?? [])];
  if (requestAdd.length || m.requestHeaderRemove?.length)
    out.RequestHeaders = { add: requestAdd, remove: m.requestHeaderRemove ?? [] };
  if (m.responseHeaderAdd?.length || m.responseHeaderRemove?.length)
    out.ResponseHeaders = { add: m.responseHeaderAdd ?? [], remove: m.responseHeaderRemove ?? [] };
  if (m.verifyWebhook) out.WebhookVerification = { provider: m.verifyWebhook, secret: m.verifyWebhookSecret ?? '' };
  if (m.uaFilterAllow?.length || m.uaFilterDeny?.length)
    out.UserAgentFilter = { allow: m.uaFilterAllow ?? [], deny: m.uaFilterDeny ?? [] };
  if (m.websocketTcpConverter) out.WebsocketTCPConverter = {};
  if (m.hostHeader === 'rewrite') out.HostHeaderRewrite = true;
  if (m.mutualTlsCa) out.MutualTLSCA = { mutual_tls_ca: Buffer.from(m.mutualTlsCa).toString('base64') };
  const oauth = identityOpts(m, 'oauth');
  if (oauth) out.OAuth = { provider: m.oauth!, ...oauth };
  const oidc = identityOpts(m, 'oidc');
  if (oidc) out.OIDC = { issuer_url: m.oidc!, ...oidc };
  return out;
}

/** The option names of one identity module: `oauth`, `oauthClientId`, … */
function identityOptionNames<P extends 'oauth' | 'oidc'>(p: P) {
  const suffixes = ['', 'ClientId', 'ClientSecret', 'Scope', 'AllowEmail', 'AllowDomain'] as const;
  return suffixes.map((s) => `${p}${s}` as const);
}

/**
 * The fields the SDK sends for `OAuth` and `OIDC` besides the provider or issuer; undefined when
 * the module is off. A client id, scope or allow list without the provider or issuer is refused:
 * it would otherwise be dropped and the endpoint left open.
 */
function identityOpts(m: EndpointModuleOptions, p: 'oauth' | 'oidc'): JsonObject | undefined {
  const [, clientId, clientSecret, scope, allowEmail, allowDomain] = identityOptionNames(p);
  if (!m[p]) {
    const stray = [clientId, clientSecret, scope, allowEmail, allowDomain].find((k) => isSet(m[k]));
    if (stray) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${stray} needs ${p} (${what[p]})`);
    return undefined;
  }
  return {
    client_id: m[clientId] ?? '',
    client_secret: m[clientSecret] ?? '',
    scopes: m[scope] ?? [],
    allow_emails: m[allowEmail] ?? [],
    allow_domains: m[allowDomain] ?? [],
  };
}

const what = { oauth: 'the provider', oidc: 'the issuer URL' } as const;

/** `user:password` as the SDK sends it (split at the first ":"). */
function credential(pair: string): JsonObject {
  const colon = pair.indexOf(':');
  if (colon < 0) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `basic auth "${pair}" must be user:password`);
  return { username: pair.slice(0, colon), cleartext_password: pair.slice(colon + 1) };
}

function isSet(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false && v !== '' && v !== 0;
}
