import dns from 'node:dns/promises';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ErrorCode, isPorticoError, PorticoError } from '../../../errors/catalogue.ts';

/** How static backends reach their addresses; set once for the edge (server/edge.ts). */
export interface UpstreamOptions {
  /** Milliseconds to resolve, connect and finish the TLS handshake. Default 10 000 (--upstream-connect-timeout). */
  connectTimeoutMs: number;
  /**
   * PEM CA certificates trusted for upstream TLS besides Node's bundled roots (a private CA,
   * or a test CA). Empty: the bundled roots and NODE_EXTRA_CA_CERTS.
   */
  extraCa: readonly string[];
  /** True when ip:port is a listener of this edge, which must not be dialed (own-listeners.ts). */
  isOwnListener(ip: string, port: number): boolean;
}

/** Errors after which another address of the same name may still work (a certificate error would not). */
const unreachable = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNRESET']);

/** A static backend's address, as compiled. */
export interface StaticTarget {
  host: string;
  port: number;
  tls: boolean;
}

/**
 * Connects to `target`, over TLS when it says so (certificate verified for its host), and
 * resolves with the socket once it can carry bytes. Rejects with ERR_EDGE_UPSTREAM_REFUSED
 * (refused, unresolvable, timed out, certificate not trusted) or ERR_EDGE_STATIC_BACKEND_LOOP;
 * nothing has been sent then, so the caller may try another backend.
 */
export async function dialStatic(target: StaticTarget, options: UpstreamOptions, alpn?: string): Promise<net.Socket> {
  const deadline = AbortSignal.timeout(options.connectTimeoutMs);
  let last: unknown;
  // Each address the name resolves to in turn (IPv6 and IPv4, say), all within the one deadline.
  for (const ip of await resolve(target, options, deadline)) {
    try {
      return await connect(ip, target, options, deadline, alpn);
    } catch (err) {
      last = err;
      if (deadline.aborted || !unreachable.has(String((err as { cause?: { code?: unknown } }).cause?.code))) break;
    }
  }
  throw last;
}

function connect(
  ip: string,
  target: StaticTarget,
  options: UpstreamOptions,
  deadline: AbortSignal,
  alpn: string | undefined,
): Promise<net.Socket> {
  return new Promise((resolvePromise, reject) => {
    const socket = target.tls
      ? tls
          .connect({
            host: ip,
            port: target.port,
            servername: net.isIP(target.host) ? undefined : target.host,
            ca: options.extraCa.length ? [...tls.rootCertificates, ...options.extraCa] : undefined,
            ALPNProtocols: alpn ? [alpn] : undefined,
          })
          .setNoDelay(true)
      : net.connect({ host: ip, port: target.port, noDelay: true });
    const fail = (err: unknown) => {
      deadline.removeEventListener('abort', onTimeout);
      socket.destroy();
      reject(isPorticoError(err) ? err : refused(describe(err), err));
    };
    const onTimeout = () => fail(refused(`no connection within ${options.connectTimeoutMs} ms`));
    if (deadline.aborted) return onTimeout();
    deadline.addEventListener('abort', onTimeout, { once: true });
    socket.once('error', fail);
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      deadline.removeEventListener('abort', onTimeout);
      socket.off('error', fail);
      resolvePromise(socket);
    });
  });
}

/** The IP addresses to dial: the host itself, or those it resolves to; none may be the edge's own. */
async function resolve(target: StaticTarget, options: UpstreamOptions, deadline: AbortSignal): Promise<string[]> {
  let ips: string[];
  if (net.isIP(target.host)) ips = [target.host];
  else {
    try {
      const lookup = dns.lookup(target.host, { all: true });
      ips = (await Promise.race([lookup, aborted(deadline)])).map((a) => a.address);
    } catch (err) {
      throw refused(deadline.aborted ? `no address within ${options.connectTimeoutMs} ms` : describe(err), err);
    }
  }
  // Every address is checked, not just the one dialed: a name may resolve differently next time.
  if (ips.some((ip) => options.isOwnListener(ip, target.port)))
    throw new PorticoError(ErrorCode.ERR_EDGE_STATIC_BACKEND_LOOP, `${target.host}:${target.port}`);
  if (!ips.length) throw refused('the host name resolves to no address');
  return ips;
}

/** Rejects when `signal` aborts (the caller reports the timeout; the reason is only a marker). */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(new Error('connect deadline passed')), { once: true }),
  );
}

function refused(reason: string, cause?: unknown): PorticoError {
  return new PorticoError(ErrorCode.ERR_EDGE_UPSTREAM_REFUSED, reason, { cause });
}

/** A short reason for a failed dial, for the log (no address in it). */
function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (typeof code === 'string' && /CERT|SELF_SIGNED|VERIFY|ALTNAME/.test(code))
    return `the TLS certificate is not trusted (${code})`;
  return typeof code === 'string' ? code : 'the connection failed';
}

/** A createConnection in its callback form (http.request's, http.Agent's), for a socket `dial` makes. */
export function dialedBy(dial: () => Promise<net.Socket>) {
  return (_: unknown, done: (err: Error | null, socket: Duplex) => void): undefined => {
    dial().then(
      (socket) => done(null, socket),
      (err: Error) => done(err, undefined as unknown as Duplex),
    );
    return undefined;
  };
}
