import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { BindRequest, EndpointOpts } from '../../protocol/messages.ts';
import { isValidHostname, isValidWildcard, normalizeHostname } from '../../config/names/hostname.ts';

import type { Reservations } from '../../config/ownership/reservations.ts';

/**
 * The hostname an http/https/tls bind asks for: Hostname, else Domain, else Subdomain under
 * the edge domain, else the host of a Go-style URL; "" when it asks for none.
 */
export function requestedHostname(opts: EndpointOpts, domain: string): string {
  if (opts.hostname) return normalizeHostname(opts.hostname);
  if (opts.domain) return normalizeHostname(opts.domain);
  if (opts.subdomain) return normalizeHostname(`${opts.subdomain}.${domain}`);
  if (opts.url) {
    try {
      return normalizeHostname(new URL(opts.url).hostname);
    } catch {
      throw new PorticoError(ErrorCode.ERR_HOSTNAME_INVALID, `URL "${opts.url}" cannot be parsed`);
    }
  }
  return '';
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
  const raw = opts.addr || (opts.url ? opts.url.replace(/^tcp:\/\//, '') : '');
  if (!raw) return 0;
  const m = /:(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new PorticoError(ErrorCode.ERR_ADDR_INVALID, `"${raw}" (bind ${bind.id || 'new'})`);
  return port;
}
