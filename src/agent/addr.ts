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
 * tcp/tls tunnels. A bare port means localhost.
 */
export function forwardsToFor(addr: string | number, proto: TunnelProto | 'labeled'): string {
  const text = String(addr).trim();
  const httpish = proto === 'http' || proto === 'https' || proto === 'labeled';
  if (text.includes('://')) return fromUrl(text, httpish);
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

function fromUrl(text: string, httpish: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${text} is not a valid URL`);
  }
  if (httpish) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'tcp:') {
      throw new PorticoError(
        ErrorCode.ERR_AGENT_CONFIG,
        `${text}: the upstream URL must be http://, https:// or tcp://`,
      );
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !text.endsWith('/');
    return bare || url.protocol === 'tcp:' ? `${url.protocol}//${url.host}` : url.href;
  }
  if (!url.port) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${text}: the upstream URL needs a port`);
  return joinHostPort(unbracket(url.hostname), Number(url.port));
}

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
