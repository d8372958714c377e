/**
 * Edge hostports: which `host:port` pairs an edge may claim, and the ones an edge gets when
 * created without any. HTTPS and TLS edges serve reserved domains on port 443 (an account's
 * own reservation or any name under its own wildcard); TCP edges serve reserved addresses.
 * No two edges claim the same hostport.
 */
import { randomLabel } from '../../../config/names/random-label.ts';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import { isValidHostname, isValidWildcard, normalizeHostname } from '../../../config/names/hostname.ts';
import type { ApiContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { reserveAddr, reservedAddrKind } from '../reserved-addrs.ts';
import { ownsHostname } from '../../../config/ownership/hostnames.ts';
import { reserveDomain } from '../reserved-domains/reserved-domains.ts';

/** The port every HTTPS and TLS edge hostport names. */
export const namedEdgePort = 443;
/** Store kinds of edges served by name (SNI) and by address. */
export const namedEdgeKinds = ['https_edge', 'tls_edge'] as const;
export const addrEdgeKinds = ['tcp_edge'] as const;
/** Hostports one edge may have at most (ngrok's ERR_NGROK_7129 beyond). */
export const maxEdgeHostports = 100;

/** Refuses a list longer than maxEdgeHostports before any of it is looked up. */
function checkCount(hostports: readonly string[]): void {
  if (hostports.length > maxEdgeHostports)
    throw new PorticoError(
      ErrorCode.ERR_NGROK_7129,
      `hostports: ${hostports.length} given, at most ${maxEdgeHostports}`,
    );
}

function hostportError(code: ErrorCode, index: number, message: string): ApiError {
  return new ApiError(code, `hostports[${index}]: ${message}`, { field: `hostports[${index}]` });
}

/** Splits "host:port"; the host lower-cased. */
function split(value: string, index: number): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  const port = Number(value.slice(at + 1));
  if (at < 1 || !/^\d+$/.test(value.slice(at + 1)) || port < 1 || port > 65535) {
    throw hostportError(ErrorCode.ERR_HOSTPORT_INVALID, index, `"${value}" is not host:port, e.g. app.example.com:443`);
  }
  return { host: normalizeHostname(value.slice(0, at)), port };
}

/** Throws ERR_HOSTPORT_IN_USE when another edge of `kinds` already claims `hostport`. */
async function checkUnclaimed(
  ctx: ApiContext,
  hostport: string,
  index: number,
  kinds: readonly string[],
  selfId?: string,
): Promise<void> {
  const users = await ctx.deps.store.resources.referencing(ctx.account.id, JSON.stringify(hostport), selfId);
  const claimant = users.find(
    (r) => kinds.includes(r.kind) && Array.isArray(r.doc.hostports) && r.doc.hostports.includes(hostport),
  );
  if (claimant)
    throw hostportError(
      ErrorCode.ERR_HOSTPORT_IN_USE,
      index,
      `${hostport} is already served by edge ${claimant.id}; remove it there first`,
    );
}

/**
 * Normalises the hostports of an HTTPS or TLS edge ("Host:443" → "host:443", duplicates
 * dropped) and checks each: port 443, a domain this account may use, not on another edge.
 */
export async function checkNamedHostports(
  ctx: ApiContext,
  hostports: readonly string[],
  selfId?: string,
): Promise<string[]> {
  checkCount(hostports);
  const out: string[] = [];
  for (const [i, value] of hostports.entries()) {
    const { host, port } = split(value.trim(), i);
    if (!isValidHostname(host) && !isValidWildcard(host))
      throw hostportError(ErrorCode.ERR_HOSTPORT_INVALID, i, `"${host}" is not a valid host name`);
    if (port !== namedEdgePort)
      throw hostportError(
        ErrorCode.ERR_HOSTPORT_INVALID,
        i,
        `HTTPS and TLS edges serve port ${namedEdgePort}; use ${host}:${namedEdgePort}`,
      );
    if (!(await ownsHostname(ctx.deps.store, ctx.account.id, host))) {
      throw hostportError(
        ErrorCode.ERR_HOSTPORT_NOT_RESERVED,
        i,
        `${host}:${port}: ${host} is not a reserved domain of this account; reserve it, or a wildcard covering it, at /reserved_domains first`,
      );
    }
    const hostport = `${host}:${port}`;
    if (out.includes(hostport)) continue;
    await checkUnclaimed(ctx, hostport, i, namedEdgeKinds, selfId);
    out.push(hostport);
  }
  return out;
}

/** Normalises and checks TCP edge hostports: each a reserved address of this account, not on another edge. */
export async function checkAddrHostports(
  ctx: ApiContext,
  hostports: readonly string[],
  selfId?: string,
): Promise<string[]> {
  checkCount(hostports);
  const out: string[] = [];
  for (const [i, value] of hostports.entries()) {
    const { host, port } = split(value.trim(), i);
    const hostport = `${host}:${port}`;
    const reservation = await ctx.deps.store.resources.getByKey(reservedAddrKind, hostport);
    if (!reservation || reservation.account_id !== ctx.account.id) {
      throw hostportError(
        ErrorCode.ERR_ADDR_NOT_RESERVED,
        i,
        `${hostport} is not a reserved address of this account; reserve one at /reserved_addrs (the edge picks the port) and use its addr`,
      );
    }
    if (out.includes(hostport)) continue;
    await checkUnclaimed(ctx, hostport, i, addrEdgeKinds, selfId);
    out.push(hostport);
  }
  return out;
}

/**
 * Reserves a generated name `<randomLabel()>.<--domain>` for edge `edgeId` and returns its
 * hostport. The reservation is the account's from then on: deleting the edge keeps it.
 */
export async function reserveGeneratedHostport(ctx: ApiContext, edgeId: string): Promise<string> {
  const domain = `${randomLabel()}.${normalizeHostname(ctx.deps.domain)}`;
  const record = await reserveDomain(ctx, { domain, description: `created for edge ${edgeId}` });
  return `${record.doc.domain}:${namedEdgePort}`;
}

/** Reserves a new TCP address (a free port of --tcp-ports) for edge `edgeId`; kept when the edge goes. */
export async function reserveGeneratedAddr(ctx: ApiContext, edgeId: string): Promise<string> {
  const record = await reserveAddr(ctx, { description: `created for edge ${edgeId}` });
  return record.doc.addr;
}
