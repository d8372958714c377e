/**
 * An agent's module options (bind `Opts`, docs/PROTOCOL.md "Opts by protocol") read off the
 * wire, compiled to plans by the configuration layer, and built into what the endpoint runs:
 * a module chain (http, https) or an IP filter (tcp, tls), and for https the TLS policy of its
 * handshakes (MutualTLSCA). Built once per bind. An option this edge does not run is refused
 * with ERR_OPTION_UNSUPPORTED, never served without it.
 */
import { compileAgentModules, type AgentModuleOptions, type HeaderEdits } from '../../config/modules/agent-options.ts';
import { ConfigProblem } from '../../config/compile/problem.ts';
import type { TlsPolicy } from '../../config/compile/tls-policy.ts';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { field, num, str, strings, type Json, type JsonObject, type TunnelProto } from '../../protocol/messages.ts';
import { IpFilter } from '../modules/ip_restriction/ip-filter.ts';
import { buildChain, isBuilt, type ModuleDeps } from '../pipeline/build.ts';
import type { HttpModule } from '../pipeline/http-module.ts';

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

/** Reads the module options of `opts` (keys in any case; null, absent or {} where a list is expected means off). */
export function readOptions(opts: JsonObject, forwardsTo: string): AgentModuleOptions {
  const o: AgentModuleOptions = {
    forwardsTo,
    auth: str(opts, 'Auth'),
    hostHeaderRewrite: field(opts, 'HostHeaderRewrite') === true,
  };
  const basic = present(opts, 'BasicAuth');
  if (basic) {
    const list = field(basic, 'credentials');
    o.basicAuth = (Array.isArray(list) ? list : []).map((c) => ({
      username: str(c, 'username'),
      cleartextPassword: str(c, 'cleartext_password'),
      hashedPassword: str(c, 'hashed_password'),
    }));
  }
  const ip = present(opts, 'IPRestriction');
  if (ip) o.ipRestriction = { allowCidrs: strings(ip, 'allow_cidrs'), denyCidrs: strings(ip, 'deny_cidrs') };
  if (present(opts, 'Compression')) o.compression = true;
  const breaker = present(opts, 'CircuitBreaker');
  if (breaker) o.circuitBreaker = { errorThreshold: num(breaker, 'error_threshold') };
  const request = present(opts, 'RequestHeaders');
  if (request) o.requestHeaders = edits(request);
  const response = present(opts, 'ResponseHeaders');
  if (response) o.responseHeaders = edits(response);
  const webhook = present(opts, 'WebhookVerification');
  if (webhook) o.webhookVerification = { provider: str(webhook, 'provider'), secret: str(webhook, 'secret') };
  const ua = present(opts, 'UserAgentFilter');
  if (ua) o.userAgentFilter = { allow: strings(ua, 'allow'), deny: strings(ua, 'deny') };
  const oauth = present(opts, 'OAuth');
  if (oauth) o.oauth = { provider: str(oauth, 'provider'), ...application(oauth) };
  const oidc = present(opts, 'OIDC');
  if (oidc) o.oidc = { issuerUrl: str(oidc, 'issuer_url'), ...application(oidc) };
  if (present(opts, 'WebsocketTCPConverter')) o.websocketTcpConverter = true;
  const mtls = present(opts, 'MutualTLSCA');
  // The wire carries the PEM bundle base64-encoded (a JSON byte array in Go and Rust).
  if (mtls) o.mutualTlsCa = Buffer.from(str(mtls, 'mutual_tls_ca'), 'base64').toString('utf8');
  return o;
}

function edits(value: Json): HeaderEdits {
  return { add: strings(value, 'add'), remove: strings(value, 'remove') };
}

/** The option object under `key`, or undefined when it is absent or null. */
function present(opts: JsonObject, key: string): Json | undefined {
  const v = field(opts, key);
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

/** The fields OAuth and OIDC options share: the operator's application and who may log in. */
function application(o: Json) {
  return {
    clientId: str(o, 'client_id'),
    clientSecret: str(o, 'client_secret'),
    scopes: strings(o, 'scopes'),
    allowEmails: strings(o, 'allow_emails'),
    allowDomains: strings(o, 'allow_domains'),
  };
}
