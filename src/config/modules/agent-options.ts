/**
 * The module options an agent gives in its bind, compiled to the same plans as a route's
 * modules, so an agent endpoint runs the same modules. Field paths in errors are the wire's
 * (`BasicAuth.credentials[0].cleartext_password`), which is what an SDK user can find.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import { isToken } from '../../http1/token.ts';
import { Secret } from '../../store/secret.ts';
import { isWebhookProvider, secretlessProviders, webhookProviders } from './webhook-verification.ts';
import { ConfigProblem } from '../compile/problem.ts';
import { clientCaTlsPolicy, type TlsPolicy } from '../compile/tls-policy.ts';
import { canonicalCidr } from '../names/cidr.ts';
import { compileBasicAuth, splitUserPass, type BasicAuthCredential } from './basic-auth.ts';
import { compileCircuitBreaker } from './circuit-breaker.ts';
import { compileAgentOAuth, type AgentOAuthOption } from './oauth.ts';
import { compileAgentOidc, type AgentOidcOption } from './oidc.ts';
import { framingHeaderProblem } from './framing-headers.ts';
import { parseHeaderTemplate } from './header-template.ts';
import { agentIpRules } from './ip-restriction.ts';
import { inModuleOrder, type HeadersPlan, type HttpModulePlan, type IpRestrictionPlan } from './plans.ts';
import { compileUserAgentFilter } from './user-agent-filter.ts';

/** `add` ("name:value") and `remove` (names) of RequestHeaders or ResponseHeaders. */
export interface HeaderEdits {
  add: string[];
  remove: string[];
}

/** The module options of a bind, as read from its `Opts`; absent (or null on the wire) means off. */
export interface AgentModuleOptions {
  /** Older agents' basic auth, "user:pass"; "" when none. */
  auth?: string;
  basicAuth?: BasicAuthCredential[];
  ipRestriction?: { allowCidrs: string[]; denyCidrs: string[] };
  compression?: boolean;
  /** ngrok's agent sends only the threshold, a fraction of 5xx responses (0 switches it off). */
  circuitBreaker?: { errorThreshold: number };
  requestHeaders?: HeaderEdits;
  responseHeaders?: HeaderEdits;
  webhookVerification?: { provider: string; secret: string };
  userAgentFilter?: { allow: string[]; deny: string[] };
  /** A login with Google, GitHub, Microsoft or Facebook; the client secret is kept in memory only. */
  oauth?: AgentOAuthOption;
  /** A login with an OpenID provider; the client secret is kept in memory only. */
  oidc?: AgentOidcOption;
  websocketTcpConverter?: boolean;
  /** PEM bundle of the CAs client certificates must chain to (`MutualTLSCA`, https endpoints). */
  mutualTlsCa?: string;
  /** The service sees Host = the host and port of `forwardsTo`. */
  hostHeaderRewrite?: boolean;
  /** The bind's ForwardsTo: the agent's upstream ("http://127.0.0.1:8080/", "localhost:8080"). */
  forwardsTo?: string;
}

/** The wire key of each HTTP-only option, for errors. */
const wireKeys = {
  auth: 'Auth',
  basicAuth: 'BasicAuth',
  compression: 'Compression',
  circuitBreaker: 'CircuitBreaker',
  requestHeaders: 'RequestHeaders',
  responseHeaders: 'ResponseHeaders',
  webhookVerification: 'WebhookVerification',
  userAgentFilter: 'UserAgentFilter',
  oauth: 'OAuth',
  oidc: 'OIDC',
  websocketTcpConverter: 'WebsocketTCPConverter',
  hostHeaderRewrite: 'HostHeaderRewrite',
} as const satisfies Partial<Record<keyof AgentModuleOptions, string>>;

/**
 * What an agent endpoint runs: HTTP modules (http, https) or a connection filter (tcp, tls),
 * and the TLS policy of its handshakes when it asks for client certificates.
 */
export interface AgentModulePlans {
  http: HttpModulePlan[];
  conn: IpRestrictionPlan | undefined;
  /** Client CAs from MutualTLSCA; undefined: the default policy. */
  tls?: TlsPolicy;
}

/** Compiles the options of an http/https bind (`http`) or a tcp/tls bind (`conn`, IP restriction only). */
export function compileAgentModules(opts: AgentModuleOptions, kind: 'http' | 'conn'): AgentModulePlans {
  const ip = opts.ipRestriction && ipRestriction(opts.ipRestriction);
  if (kind === 'conn') {
    if (opts.mutualTlsCa !== undefined)
      throw new ConfigProblem(
        'MutualTLSCA',
        ErrorCode.ERR_OPTION_UNSUPPORTED,
        "applies to https endpoints only; the edge passes a tls endpoint's TLS through (use MutualTLSAtAgent)",
      );
    const httpOnly = (Object.keys(wireKeys) as Array<keyof typeof wireKeys>).find((k) => !!opts[k]);
    if (httpOnly)
      throw new ConfigProblem(wireKeys[httpOnly], ErrorCode.ERR_OPTION_UNSUPPORTED, 'applies to HTTP endpoints only');
    return { http: [], conn: ip };
  }
  const plans: HttpModulePlan[] = ip ? [ip] : [];
  const credentials = [...(opts.basicAuth ?? [])];
  if (opts.auth) credentials.push(splitUserPass(opts.auth, 'Auth'));
  if (credentials.length) plans.push(compileBasicAuth(credentials, 'BasicAuth.credentials'));
  if (opts.compression) plans.push({ name: 'compression' });
  const threshold = opts.circuitBreaker?.errorThreshold ?? 0;
  if (!(threshold >= 0 && threshold <= 1))
    throw new ConfigProblem('CircuitBreaker.error_threshold', ErrorCode.ERR_AGENT_OPTION_INVALID, 'must be 0 to 1');
  if (threshold > 0) plans.push(compileCircuitBreaker({ error_threshold_percentage: threshold }));
  let request = opts.requestHeaders && headers('request_headers', opts.requestHeaders, 'RequestHeaders');
  if (opts.hostHeaderRewrite) {
    const host = hostOf(opts.forwardsTo ?? '');
    // First, so that an explicit RequestHeaders add of Host still wins.
    (request ??= { name: 'request_headers', add: [], remove: [] }).add.unshift(['host', { text: host, parts: [host] }]);
  }
  if (request) plans.push(request);
  if (opts.responseHeaders) plans.push(headers('response_headers', opts.responseHeaders, 'ResponseHeaders'));
  if (opts.oauth) plans.push(compileAgentOAuth(opts.oauth));
  if (opts.oidc) plans.push(compileAgentOidc(opts.oidc));
  if (opts.webhookVerification) plans.push(webhook(opts.webhookVerification));
  if (opts.userAgentFilter) plans.push(compileUserAgentFilter(opts.userAgentFilter, 'UserAgentFilter'));
  if (opts.websocketTcpConverter) plans.push({ name: 'websocket_tcp_converter' });
  const tls =
    opts.mutualTlsCa !== undefined ? clientCaTlsPolicy(opts.mutualTlsCa, 'MutualTLSCA.mutual_tls_ca') : undefined;
  return { http: inModuleOrder(plans), conn: undefined, ...(tls ? { tls } : {}) };
}

function ipRestriction(o: { allowCidrs: string[]; denyCidrs: string[] }): IpRestrictionPlan | undefined {
  const canonical = (list: string[], key: string) =>
    list.map((cidr, i) => {
      const c = canonicalCidr(cidr.trim());
      if (!c)
        throw new ConfigProblem(`IPRestriction.${key}[${i}]`, ErrorCode.ERR_NGROK_1410, `"${cidr}" is not a CIDR`);
      return c;
    });
  const allow = canonical(o.allowCidrs, 'allow_cidrs');
  const deny = canonical(o.denyCidrs, 'deny_cidrs');
  if (allow.length === 0 && deny.length === 0) return undefined;
  return { name: 'ip_restriction', rules: agentIpRules(allow, deny) };
}

function headers<N extends HeadersPlan['name']>(name: N, edits: HeaderEdits, field: string): HeadersPlan & { name: N } {
  const add = edits.add.map((entry, i): HeadersPlan['add'][number] => {
    const colon = entry.indexOf(':');
    const header = entry.slice(0, colon).trim();
    if (colon < 0 || !isToken(header))
      throw new ConfigProblem(`${field}.add[${i}]`, ErrorCode.ERR_HEADER_OPTION_INVALID, `"${entry}"`);
    const framing = framingHeaderProblem(header, 'add');
    if (framing) throw new ConfigProblem(`${field}.add[${i}]`, ErrorCode.ERR_AGENT_OPTION_INVALID, framing);
    const value = entry.slice(colon + 1).trim();
    return [header.toLowerCase(), parseHeaderTemplate(value, `${field}.add[${i}]`)];
  });
  const remove = edits.remove.map((header, i) => {
    if (!isToken(header.trim()))
      throw new ConfigProblem(`${field}.remove[${i}]`, ErrorCode.ERR_HEADER_OPTION_INVALID, `"${header}"`);
    const framing = framingHeaderProblem(header.trim(), 'remove');
    if (framing) throw new ConfigProblem(`${field}.remove[${i}]`, ErrorCode.ERR_AGENT_OPTION_INVALID, framing);
    return header.trim().toLowerCase();
  });
  return { name, add, remove };
}

function webhook(o: { provider: string; secret: string }): HttpModulePlan {
  const provider = o.provider.toLowerCase();
  if (!isWebhookProvider(provider))
    throw new ConfigProblem(
      'WebhookVerification.provider',
      ErrorCode.ERR_NGROK_7030,
      `"${o.provider}" is not supported; use one of ${webhookProviders.join(', ')}`,
    );
  if (!o.secret && !secretlessProviders.includes(provider))
    throw new ConfigProblem(
      'WebhookVerification.secret',
      ErrorCode.ERR_NGROK_7027,
      `${provider} needs the signing secret`,
    );
  // The secret stays in memory with the endpoint; nothing stores it.
  return { name: 'webhook_verification', provider, agentSecret: new Secret(o.secret) };
}

/** The Host the service expects: the host and port of the bind's ForwardsTo. */
function hostOf(forwardsTo: string): string {
  let host = '';
  try {
    host = new URL(forwardsTo.includes('://') ? forwardsTo : `tcp://${forwardsTo}`).host;
  } catch {
    // Not an address: refused below.
  }
  if (!host)
    throw new ConfigProblem(
      'HostHeaderRewrite',
      ErrorCode.ERR_OPTION_UNSUPPORTED,
      `needs the bind's ForwardsTo to be the service address, got "${forwardsTo}"`,
    );
  return host;
}
