import { PorticoError } from '../errors/catalogue.ts';
import type { Logger } from '../log/logger.ts';
import type { AcmeConfig } from './tls/acme/config.ts';

/** A listen address: host "" means every interface. */
export interface ListenAddr {
  host: string;
  port: number;
}

/** An inclusive port range for TCP addresses; {0,0} lets the OS pick any free port (tests). */
export interface PortRange {
  min: number;
  max: number;
}

/** Everything `portico edge` is configured with. Defaults live in `edgeDefaults`. */
export interface EdgeConfig {
  /** Directory for the SQLite store, the local CA and bootstrap.json. */
  dataDir: string;
  /** TLS agent ingress. Default ":4443". */
  agentAddr: ListenAddr;
  /** Public HTTPS and TLS (SNI-routed) listener. Default ":8443". */
  httpsAddr: ListenAddr;
  /** Public plain-HTTP listener. Default ":8080". */
  httpAddr: ListenAddr;
  /** REST API. Default "127.0.0.1:8000". */
  apiAddr: ListenAddr;
  /** Ports handed out for TCP addresses. Default 20000-20999. */
  tcpPorts: PortRange;
  /** Base domain for generated hostnames. Default "localhost". */
  domain: string;
  /** The region this edge serves. Default "local". */
  region: string;
  /** Store location; undefined means SQLite in the data dir. */
  databaseUrl?: string;
  /** Automatic certificates over ACME; off when undefined (`portico edge` always sets it). */
  acme?: AcmeConfig;
  /** Listener and upstream timeouts; each one missing takes its default (`timeoutDefaults`). */
  timeouts?: Partial<EdgeTimeouts>;
  logger: Logger;
}

/** How long the edge waits, in milliseconds. 0 disables a timeout where noted. */
export interface EdgeTimeouts {
  /**
   * Response headers from the service behind a tunnel, counted from the moment the request
   * was written in full; past it the client gets 504 ERR_NGROK_3008. 0 waits forever.
   * Default 100 000 (--upstream-header-timeout).
   */
  upstreamHeader: number;
}

export const timeoutDefaults: EdgeTimeouts = {
  upstreamHeader: 100_000,
};

export const edgeDefaults = {
  agentAddr: ':4443',
  httpsAddr: ':8443',
  httpAddr: ':8080',
  apiAddr: '127.0.0.1:8000',
  tcpPorts: '20000-20999',
  domain: 'localhost',
  region: 'local',
} as const;

/** Parses ":4443", "127.0.0.1:0", "[::1]:8443" or "8443". */
export function parseListenAddr(value: string, flag = 'address'): ListenAddr {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new PorticoError('ERR_CONFIG_INVALID', `${flag}: "${value}" is not host:port (e.g. ":8443" or "127.0.0.1:0")`);
  }
  return { host: m[1] ?? m[2] ?? '', port };
}

/** Parses "20000-20999", a single port "20000", or "0" (any free port). */
export function parsePortRange(value: string): PortRange {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || min > max || max > 65535 || (min === 0 && max !== 0)) {
    throw new PorticoError('ERR_CONFIG_INVALID', `--tcp-ports: "${value}" is not a range like 20000-20999 (or 0 for any free port)`);
  }
  return { min, max };
}

/** Formats a bound address for clients: all-interfaces becomes "localhost". */
export function dialableAddr(host: string, port: number): string {
  const h = host === '' || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}
