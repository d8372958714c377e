/**
 * An agent's module options (bind `Opts`, docs/PROTOCOL.md "Opts by protocol") read off the
 * wire, compiled to plans by the configuration layer, and built into what the endpoint runs:
 * a module chain (http, https) or an IP filter (tcp, tls), and for https the TLS policy of its
 * handshakes (MutualTLSCA). Built once per bind. An option this edge does not run is refused
 * with ERR_OPTION_UNSUPPORTED, never served without it.
 */
import { compileAgentModules, type AgentModuleOptions } from '../../config/modules/agent-options.ts';
import { ConfigProblem } from '../../config/compile/problem.ts';
import type { TlsPolicy } from '../../config/compile/tls-policy.ts';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { field, str, type JsonObject, type TunnelProto } from '../../protocol/messages.ts';
import { IpFilter } from '../../config/ip-rules/ip-filter.ts';
import { buildChain, isBuilt, type ModuleDeps } from '../pipeline/build.ts';
import type { HttpModule } from '../pipeline/http-module.ts';
import { moduleOption, type OptionReader } from './option-reader.ts';

/** What one agent endpoint runs on its traffic. */
export interface EndpointModules {
  /** http and https endpoints: the chain requests and WebSocket upgrades pass through. */
  modules?: readonly HttpModule[];
  /** tcp and tls endpoints: sources the IP restriction refuses are disconnected before a byte is forwarded. */
  ipFilter?: IpFilter;
  /** https endpoints with MutualTLSCA: the client CAs the public port's handshakes require. Absent: the default policy. */
  tls?: TlsPolicy;
}

/** Options refused whatever the endpoint, with why (by lower-case wire key). */
const refused: Record<string, string> = {
  // Checking client certificates at the edge needs the edge to terminate TLS, which it does not
  // for agent tls endpoints (TLSTermination, below): it passes their TLS through to the agent.
  mutualtlsatedge:
    'needs TLSTermination, and this edge passes agent TLS endpoints through; use MutualTLSAtAgent, an https endpoint with MutualTLSCA, or a TLS edge with mutual_tls',
  trafficpolicy: 'Traffic Policy is not supported yet',
  tlstermination: 'TLS termination at the edge for agent TLS endpoints is not supported yet',
};

/** Wire keys read into AgentModuleOptions (lower case). */
const read = new Set([
  'basicauth',
  'iprestriction',
  'compression',
  'circuitbreaker',
  'requestheaders',
  'responseheaders',
  'webhookverification',
  'useragentfilter',
  'oauth',
  'oidc',
  'websockettcpconverter',
  'mutualtlsca',
]);

/**
 * The modules of a bind. `optionKeys` are the wire keys of its non-null module options
 * (parseEndpointOpts().modules); `proto` is the bind's.
 */
export function endpointModules(
  opts: JsonObject,
  optionKeys: readonly string[],
  forwardsTo: string,
  proto: TunnelProto,
  deps: ModuleDeps,
): EndpointModules {
  const kind = proto === 'http' || proto === 'https' ? 'http' : 'conn';
  for (const key of optionKeys) {
    const why = refused[key.toLowerCase()] ?? (read.has(key.toLowerCase()) ? undefined : 'unknown to this edge');
    if (why) throw new PorticoError(ErrorCode.ERR_OPTION_UNSUPPORTED, `${key}: ${why}`);
  }
  let plans;
  try {
    plans = compileAgentModules(readOptions(opts, forwardsTo), kind);
  } catch (err) {
    if (err instanceof ConfigProblem) throw new PorticoError(err.code, err.message, { cause: err });
    throw err;
  }
  for (const plan of plans.http) {
    if (!isBuilt(plan.name))
      throw new PorticoError(ErrorCode.ERR_OPTION_UNSUPPORTED, `${plan.name}: this edge does not run it yet`);
  }
  if (kind === 'conn') return plans.conn ? { ipFilter: new IpFilter(plans.conn.rules) } : {};
  // Client certificates are asked for in the handshake, and the plain HTTP port has none.
  if (plans.tls && proto === 'http')
    throw new PorticoError(
      ErrorCode.ERR_OPTION_UNSUPPORTED,
      'MutualTLSCA: applies to https endpoints only; bind with the https scheme',
    );
  return {
    ...(plans.http.length ? { modules: buildChain(plans.http, deps) } : {}),
    ...(plans.tls ? { tls: plans.tls } : {}),
  };
}

/**
 * Reads the module options of `opts` (null or absent means off). Each option object is read
 * strictly (option-reader.ts): a wrong shape, type or key is refused, never read as off.
 */
export function readOptions(opts: JsonObject, forwardsTo: string): AgentModuleOptions {
  const o: AgentModuleOptions = {
    forwardsTo,
    auth: str(opts, 'Auth'),
    hostHeaderRewrite: field(opts, 'HostHeaderRewrite') === true,
  };
  const basic = moduleOption(opts, 'BasicAuth', ['credentials']);
  if (basic)
    o.basicAuth = basic.objects('credentials', ['username', 'cleartext_password', 'hashed_password']).map((c) => ({
      username: c.string('username'),
      cleartextPassword: c.string('cleartext_password'),
      hashedPassword: c.string('hashed_password'),
    }));
  const ip = moduleOption(opts, 'IPRestriction', ['allow_cidrs', 'deny_cidrs']);
  if (ip) o.ipRestriction = { allowCidrs: ip.strings('allow_cidrs'), denyCidrs: ip.strings('deny_cidrs') };
  if (moduleOption(opts, 'Compression', [])) o.compression = true;
  const breaker = moduleOption(opts, 'CircuitBreaker', ['error_threshold']);
  if (breaker) o.circuitBreaker = { errorThreshold: breaker.number('error_threshold') };
  const request = moduleOption(opts, 'RequestHeaders', ['add', 'remove']);
  if (request) o.requestHeaders = { add: request.strings('add'), remove: request.strings('remove') };
  const response = moduleOption(opts, 'ResponseHeaders', ['add', 'remove']);
  if (response) o.responseHeaders = { add: response.strings('add'), remove: response.strings('remove') };
  const webhook = moduleOption(opts, 'WebhookVerification', ['provider', 'secret']);
  if (webhook) o.webhookVerification = { provider: webhook.string('provider'), secret: webhook.string('secret') };
  const ua = moduleOption(opts, 'UserAgentFilter', ['allow', 'deny']);
  if (ua) o.userAgentFilter = { allow: ua.strings('allow'), deny: ua.strings('deny') };
  const oauth = moduleOption(opts, 'OAuth', ['provider', ...applicationKeys]);
  if (oauth) o.oauth = { provider: oauth.string('provider'), ...application(oauth) };
  const oidc = moduleOption(opts, 'OIDC', ['issuer_url', ...applicationKeys]);
  if (oidc) o.oidc = { issuerUrl: oidc.string('issuer_url'), ...application(oidc) };
  if (moduleOption(opts, 'WebsocketTCPConverter', [])) o.websocketTcpConverter = true;
  const mtls = moduleOption(opts, 'MutualTLSCA', ['mutual_tls_ca']);
  // The wire carries the PEM bundle base64-encoded (a JSON byte array in Go and Rust).
  if (mtls) o.mutualTlsCa = Buffer.from(mtls.string('mutual_tls_ca'), 'base64').toString('utf8');
  return o;
}

/** The keys OAuth and OIDC options share besides the provider or issuer. */
const applicationKeys = ['client_id', 'client_secret', 'scopes', 'allow_emails', 'allow_domains'] as const;

/** The fields OAuth and OIDC options share: the operator's application and who may log in. */
function application(o: OptionReader) {
  return {
    clientId: o.string('client_id'),
    clientSecret: o.string('client_secret'),
    scopes: o.strings('scopes'),
    allowEmails: o.strings('allow_emails'),
    allowDomains: o.strings('allow_domains'),
  };
}
