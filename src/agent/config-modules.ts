/**
 * The module keys of a tunnel in the agent's YAML config file, as ngrok's version 2 agent config
 * names them, read into EndpointModuleOptions:
 *
 *   basic_auth: ["user:password"]        # auth: "user:password" (older spelling, one pair)
 *   ip_restriction: { allow_cidrs: [10.0.0.0/8], deny_cidrs: [] }
 *   compression: true
 *   circuit_breaker: 0.5
 *   request_header: { add: ["x-from: portico"], remove: [x-internal] }
 *   response_header: { add: [], remove: [] }
 *   webhook_verification: { provider: github, secret: … }   # verify_webhook: the same
 *   user_agent_filter: { allow: [], deny: [curl] }
 *   websocket_tcp_converter: true
 *   host_header: rewrite
 *   oauth: { provider: google, client_id: …, client_secret: …, scopes: [], allow_emails: [], allow_domains: [example.com] }
 *   oidc: { issuer_url: https://idp.example.com, client_id: …, client_secret: …, scopes: [], allow_emails: [], allow_domains: [] }
 */
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { EndpointModuleOptions } from './endpoint-modules.ts';

/** The keys read here. */
export const moduleKeys = [
  'auth',
  'basic_auth',
  'ip_restriction',
  'compression',
  'circuit_breaker',
  'request_header',
  'response_header',
  'webhook_verification',
  'verify_webhook',
  'user_agent_filter',
  'websocket_tcp_converter',
  'host_header',
  'oauth',
  'oidc',
] as const;

type Raw = Record<string, unknown>;

/** Typed reads of tunnel `raw`'s keys; errors name the field path under `at`. */
function reader(raw: Raw, at: string) {
  const fail = (key: string, why: string) => new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${at}.${key}: ${why}`);
  const list = (value: unknown, key: string): string[] => {
    if (value === undefined || value === null) return [];
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
    throw fail(key, 'must be a list of strings');
  };
  const map = (key: string, keys: readonly string[]): Raw | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw fail(key, `must be a mapping of ${keys.join(', ')}`);
    const unknown = Object.keys(value).find((k) => !keys.includes(k));
    if (unknown) throw fail(`${key}.${unknown}`, `unknown key (known keys: ${keys.join(', ')})`);
    return value as Raw;
  };
  const flag = (key: string): boolean | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw fail(key, 'must be true or false');
    return value;
  };
  return { fail, list, map, flag };
}

/** The module options of tunnel `raw` at field path `at`; undefined when it sets none. */
export function parseModuleKeys(raw: Raw, at: string): EndpointModuleOptions | undefined {
  const { fail, list, map, flag } = reader(raw, at);
  const m: EndpointModuleOptions = {};
  const basic = [...list(raw.basic_auth, 'basic_auth'), ...list(raw.auth, 'auth')];
  if (basic.length) m.basicAuth = basic;
  const ip = map('ip_restriction', ['allow_cidrs', 'deny_cidrs']);
  if (ip) {
    m.cidrAllow = list(ip.allow_cidrs, 'ip_restriction.allow_cidrs');
    m.cidrDeny = list(ip.deny_cidrs, 'ip_restriction.deny_cidrs');
  }
  if (flag('compression')) m.compression = true;
  if (raw.circuit_breaker !== undefined) {
    const n = raw.circuit_breaker;
    if (typeof n !== 'number' || !(n >= 0 && n <= 1)) throw fail('circuit_breaker', 'must be a fraction, 0 to 1');
    if (n > 0) m.circuitBreaker = n;
  }
  for (const [key, add, remove] of [
    ['request_header', 'requestHeaderAdd', 'requestHeaderRemove'],
    ['response_header', 'responseHeaderAdd', 'responseHeaderRemove'],
  ] as const) {
    const edits = map(key, ['add', 'remove']);
    if (!edits) continue;
    m[add] = list(edits.add, `${key}.add`);
    m[remove] = list(edits.remove, `${key}.remove`);
  }
  Object.assign(m, parseWebhookKeys(raw, at));
  const ua = map('user_agent_filter', ['allow', 'deny']);
  if (ua) {
    m.uaFilterAllow = list(ua.allow, 'user_agent_filter.allow');
    m.uaFilterDeny = list(ua.deny, 'user_agent_filter.deny');
  }
  if (flag('websocket_tcp_converter')) m.websocketTcpConverter = true;
  if (raw.host_header !== undefined) {
    if (typeof raw.host_header !== 'string' || !raw.host_header)
      throw fail('host_header', 'must be "rewrite", "preserve" or a host');
    m.hostHeader = raw.host_header;
  }
  Object.assign(m, parseIdentityKeys(raw, at));
  return Object.keys(m).length ? m : undefined;
}

/** `webhook_verification:` or its other spelling `verify_webhook:` (one of them), whose provider is required. */
function parseWebhookKeys(raw: Raw, at: string): EndpointModuleOptions {
  const { fail, map } = reader(raw, at);
  const keys = ['provider', 'secret'];
  const both = raw.webhook_verification != null && raw.verify_webhook != null;
  if (both) throw fail('verify_webhook', 'webhook_verification and verify_webhook are one setting: keep one of them');
  const key = raw.verify_webhook != null ? 'verify_webhook' : 'webhook_verification';
  const webhook = map(key, keys);
  if (!webhook) return {};
  if (typeof webhook.provider !== 'string' || !webhook.provider) throw fail(`${key}.provider`, 'is required');
  const secret = webhook.secret ?? '';
  if (typeof secret !== 'string') throw fail(`${key}.secret`, 'must be a string');
  return { verifyWebhook: webhook.provider, verifyWebhookSecret: secret };
}

/** `oauth:` and `oidc:`, each a mapping whose provider or issuer_url is required. */
function parseIdentityKeys(raw: Raw, at: string): EndpointModuleOptions {
  const { fail, list, map } = reader(raw, at);
  const m: EndpointModuleOptions = {};
  const common = ['client_id', 'client_secret', 'scopes', 'allow_emails', 'allow_domains'];
  const text = (value: unknown, key: string): string | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw fail(key, 'must be a string');
    return value;
  };
  for (const [key, first, p] of [
    ['oauth', 'provider', 'oauth'],
    ['oidc', 'issuer_url', 'oidc'],
  ] as const) {
    const o = map(key, [first, ...common]);
    if (!o) continue;
    const named = text(o[first], `${key}.${first}`);
    if (!named) throw fail(`${key}.${first}`, 'is required');
    m[p] = named;
    const clientId = text(o.client_id, `${key}.client_id`);
    const clientSecret = text(o.client_secret, `${key}.client_secret`);
    if (clientId) m[`${p}ClientId`] = clientId;
    if (clientSecret) m[`${p}ClientSecret`] = clientSecret;
    m[`${p}Scope`] = list(o.scopes, `${key}.scopes`);
    m[`${p}AllowEmail`] = list(o.allow_emails, `${key}.allow_emails`);
    m[`${p}AllowDomain`] = list(o.allow_domains, `${key}.allow_domains`);
  }
  return m;
}
