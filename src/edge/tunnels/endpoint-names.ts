import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { BindRequest, EndpointOpts } from '../../protocol/messages.ts';
import { isValidHostname, isValidWildcard, normalizeHostname } from '../../config/names/hostname.ts';

import type { Reservations } from '../../config/ownership/reservations.ts';

/**
 * The hostname an http/https/tls bind asks for, named by any of Hostname, Domain, Subdomain
 * (under the edge domain) and a Go-style URL; "" when it asks for none. Names given more than
 * once must agree (a rebind replays the reply's Opts, where Hostname repeats the Domain or
 * Subdomain asked for), and a URL may carry no path and no port but `edgePort`, the public port
 * its scheme is served on: nothing it says is left unread.
 */
export function requestedHostname(opts: EndpointOpts, domain: string, edgePort: number): string {
  const named: Array<[key: string, name: string]> = [];
  if (opts.hostname) named.push(['Hostname', normalizeHostname(opts.hostname)]);
  if (opts.domain) named.push(['Domain', normalizeHostname(opts.domain)]);
  if (opts.subdomain) named.push(['Subdomain', normalizeHostname(`${opts.subdomain}.${domain}`)]);
  if (opts.url) named.push(['URL', urlHostname(opts.url, edgePort)]);
  const [first, ...rest] = named;
  const other = first && rest.find(([, name]) => name !== first[1]);
  if (first && other)
    throw new PorticoError(
      ErrorCode.ERR_AGENT_OPTION_INVALID,
      `${first[0]} "${first[1]}" and ${other[0]} "${other[1]}" name different endpoints; give one name`,
    );
  return first?.[1] ?? '';
}

/** The hostname of a Go-style endpoint URL, refused when it has a path, query or a port the edge does not serve it on. */
function urlHostname(raw: string, edgePort: number): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PorticoError(ErrorCode.ERR_HOSTNAME_INVALID, `URL "${raw}" cannot be parsed`);
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash)
    throw new PorticoError(
      ErrorCode.ERR_AGENT_OPTION_INVALID,
      `URL "${raw}": an endpoint URL has no path; route paths with an edge instead`,
    );
  if (url.port && Number(url.port) !== edgePort)
    throw new PorticoError(
      ErrorCode.ERR_AGENT_OPTION_INVALID,
      `URL "${raw}": this edge serves ${url.protocol.slice(0, -1)} endpoints on port ${edgePort}; leave the port out`,
    );
  return normalizeHostname(url.hostname);
}

/** True for the edge domain itself and any single or nested name under it (not wildcards). */
export function isUnderDomain(hostname: string, domain: string): boolean {
  return !hostname.startsWith('*.') && (hostname === domain || hostname.endsWith('.' + domain));
}

/** Checks a requested hostname; names outside --domain and all wildcards must be reserved. */
export async function checkHostname(
  hostname: string,
  accountId: string,
  domain: string,
  reservations: Reservations,
): Promise<void> {
  const valid = hostname.startsWith('*.') ? isValidWildcard(hostname) : isValidHostname(hostname);
  if (!valid) throw new PorticoError(ErrorCode.ERR_HOSTNAME_INVALID, `"${hostname}"`);
  if (isUnderDomain(hostname, domain)) {
    // First come under --domain, but a name another account reserved is theirs alone.
    if (await reservations.heldByOther(accountId, hostname))
      throw new PorticoError(ErrorCode.ERR_HOSTNAME_TAKEN, `"${hostname}" is reserved by another account`);
    return;
  }
  if (!(await reservations.mayBindHostname(accountId, hostname))) {
    throw new PorticoError(ErrorCode.ERR_HOSTNAME_NOT_RESERVED, `"${hostname}"`);
  }
}

/** Parses a requested TCP address "host:port" (host ignored) into a port; 0 when none asked. */
export function requestedPort(bind: BindRequest, opts: EndpointOpts): number {
  const addr = opts.addr ? portOf(opts.addr, bind) : 0;
  const url = opts.url ? portOf(opts.url.replace(/^tcp:\/\//, ''), bind) : 0;
  // A rebind replays the reply's Opts, which carry both, equal.
  if (addr && url && addr !== url)
    throw new PorticoError(
      ErrorCode.ERR_AGENT_OPTION_INVALID,
      `Addr "${opts.addr}" and URL "${opts.url}" ask for different ports; give one address`,
    );
  return addr || url;
}

function portOf(raw: string, bind: BindRequest): number {
  const m = /:(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new PorticoError(ErrorCode.ERR_ADDR_INVALID, `"${raw}" (bind ${bind.id || 'new'})`);
  return port;
}
