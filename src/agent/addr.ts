import { isIP } from 'node:net';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { TunnelProto } from '../protocol/messages.ts';

/** Where a proxy stream is dialled: a TCP address, optionally wrapped in TLS. */
export interface UpstreamTarget {
  host: string;
  port: number;
  /** True for `https://` upstreams: the agent speaks TLS to the local service. */
  tls: boolean;
}

/**
 * Turns what the user typed (`3000`, `host:port` or a URL) into the tunnel's `ForwardsTo`:
 * a URL (`http://localhost:3000`) for http/https tunnels and labeled tunnels, `host:port` for
 * tcp/tls tunnels. A bare port means localhost. A URL is only a scheme, a host and a port: a path,
 * query, fragment or credentials are refused, as the agent would not send them; errors name `where`.
 */
export function forwardsToFor(addr: string | number, proto: TunnelProto | 'labeled', where = 'addr'): string {
  const text = String(addr).trim();
  const httpish = proto === 'http' || proto === 'https' || proto === 'labeled';
  if (text.includes('://')) return fromUrl(text, proto, where);
  const { host, port } = splitHostPort(text, httpish ? 80 : undefined);
  return httpish ? `http://${joinHostPort(host, port)}` : joinHostPort(host, port);
}

/** The dial target of a `ForwardsTo` value as produced by forwardsToFor (or any URL / host:port). */
export function upstreamTarget(forwardsTo: string): UpstreamTarget {
  if (!forwardsTo.includes('://')) return { ...splitHostPort(forwardsTo, undefined), tls: false };
  const url = new URL(forwardsTo);
  const tls = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  return { host: unbracket(url.hostname), port, tls };
}

/** Splits `port`, `host`, `host:port` or `[v6]:port`. A missing port uses `defaultPort` or fails. */
export function splitHostPort(text: string, defaultPort: number | undefined): { host: string; port: number } {
  if (/^\d+$/.test(text)) return { host: 'localhost', port: checkPort(text, text) };
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { host: v6[1]!, port: portOrDefault(v6[2], defaultPort, text) };
  if (isIP(text) === 6) return { host: text, port: portOrDefault(undefined, defaultPort, text) };
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { host: requireHost(text, text), port: portOrDefault(undefined, defaultPort, text) };
  const host = text.slice(0, colon) || 'localhost';
  return { host: requireHost(host, text), port: checkPort(text.slice(colon + 1), text) };
}

/** `host:port`, bracketing IPv6 literals. */
export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function fromUrl(text: string, proto: TunnelProto | 'labeled', where: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${where}: ${text} is not a valid URL`);
  }
  // Credentials are never echoed: the message ends up in logs and on the screen.
  const shown = url.username || url.password ? `${url.protocol}//…@${url.host}` : text;
  const bad = (why: string) => new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${where}: ${shown}: ${why}`);
  const schemes = upstreamSchemes[proto];
  if (!schemes.includes(url.protocol))
    throw bad(`the upstream URL of a ${proto} tunnel must be ${schemes.map((s) => `${s}//`).join(', ')}`);
  if (url.username || url.password)
    throw bad('a user name or password in the URL is not supported (the agent would not send it to the service)');
  // The agent dials the host and port only; a path or query it did not send would mislead.
  if (url.pathname !== '/' && url.pathname !== '') throw bad('the upstream URL may not have a path');
  if (url.search || text.includes('?')) throw bad('the upstream URL may not have a query');
  if (url.hash || text.includes('#')) throw bad('the upstream URL may not have a fragment');
  if (proto === 'tcp' || proto === 'tls') {
    if (!url.port) throw bad('the upstream URL needs a port');
    return joinHostPort(unbracket(url.hostname), Number(url.port));
  }
  if (!url.hostname) throw bad('the upstream URL needs a host');
  return `${url.protocol}//${url.host}`;
}

/**
 * The URL schemes of an upstream by tunnel kind. A tls tunnel passes the client's TLS through,
 * so its service is a TLS one (`tls://`, as the SDKs write it) reached over TCP (`tcp://`).
 */
const upstreamSchemes: Record<TunnelProto | 'labeled', readonly string[]> = {
  http: ['http:', 'https:'],
  https: ['http:', 'https:'],
  labeled: ['http:', 'https:', 'tcp:'],
  tcp: ['tcp:'],
  tls: ['tcp:', 'tls:'],
};

function portOrDefault(port: string | undefined, fallback: number | undefined, text: string): number {
  if (port !== undefined) return checkPort(port, text);
  if (fallback === undefined)
    throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${text}: a port is required (host:port)`);
  return fallback;
}

function checkPort(port: string, text: string): number {
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) {
    throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${text}: the port must be a number from 1 to 65535`);
  }
  return n;
}

function requireHost(host: string, text: string): string {
  if (!host || /[\s/]/.test(host))
    throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${text} is not a port, host:port or URL`);
  return host;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
