import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { DeliveryLimits } from './events/delivery.ts';
import type { Logger } from '../log/logger.ts';
import type { ApiPublicAddress } from '../config/api-public-address.ts';
import type { OAuthProvider } from '../config/modules/plans.ts';
import type { OAuthProviderEndpoints } from './modules/oauth/providers.ts';
import type { SnsCertificateOptions } from './modules/webhook_verification/sns-certificates.ts';
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
  /**
   * Public connections open at once over every public listener together; past it new ones
   * are closed at once. Default: the open-file limit less 512 (--max-connections).
   */
  maxConnections?: number;
  /**
   * Webhook verification: `maxBodyBytes` a body may have to be checked (default 1 MiB; past
   * it 413), and where AWS SNS signing certificates may be fetched from (`sns.hostPattern`,
   * `sns.ca`: only tests change these, to serve a certificate over loopback HTTPS).
   */
  webhooks?: { maxBodyBytes?: number; sns?: Partial<SnsCertificateOptions> };
  /**
   * Event delivery (docs/events.md): `fileDir` is where file targets write (default
   * `<dataDir>/event-files`); `datadogIntakeUrl` replaces every Datadog target's intake URL
   * and `awsEndpointUrl` every AWS target's endpoint and STS's, `azure` where Azure targets sign
   * in and send (tests point them at local stand-ins); `limits` bound each destination's queue,
   * batches and retries (events/delivery.ts).
   */
  events?: {
    fileDir?: string;
    datadogIntakeUrl?: string;
    awsEndpointUrl?: string;
    azure?: { loginUrl?: string; ingestionUrl?: string };
    limits?: Partial<DeliveryLimits>;
  };
  /**
   * Identity modules: `allowHttpIssuers` lets an OpenID issuer or OAuth endpoint be plain http
   * (only tests set it, with a provider on loopback); otherwise https is required.
   * `oauthProviders` overrides where an OAuth provider lives, field by field (GitHub Enterprise:
   * `{ github: { authorizeUrl, tokenUrl, apiUrl } }`; an Azure tenant: `{ microsoft: { issuer } }`);
   * the defaults are the public services (modules/oauth/providers.ts). `callbackOrigin`
   * (`https://login.example.com`) is the one origin OAuth and OIDC providers call back on, which
   * forwards each login to its own domain (modules/identity/callback-origin.ts).
   */
  identity?: {
    allowHttpIssuers?: boolean;
    callbackOrigin?: string;
    oauthProviders?: Partial<Record<OAuthProvider, OAuthProviderEndpoints>>;
  };
  /**
   * `/metrics` on the API address: `key`, when set, must come as `Authorization: Bearer <key>`
   * (--metrics-key); otherwise the endpoint is open. Undefined: open.
   */
  metrics?: { key?: string };
  /**
   * Static backends: `ca`, PEM CA certificates trusted for their TLS (`tls.enabled`) besides
   * Node's bundled roots, e.g. a private CA of your services (--static-backend-ca-cert), or a
   * test CA. Default none.
   */
  staticBackends?: { ca?: readonly string[] };
  /** One info line per public HTTP request (component `access`). Default true (--no-access-log). */
  accessLog?: boolean;
  /** The API's public address behind a reverse proxy (src/api/public-origin.ts); none by default. */
  api?: ApiPublicAddress;
  logger: Logger;
}

/** How long the edge waits, in milliseconds. 0 disables a timeout where noted. */
export interface EdgeTimeouts {
  /**
   * A client must finish its TLS handshake (public HTTPS port, agent port), and an agent its
   * Auth, within this. Default 10 000 (--handshake-timeout).
   */
  handshake: number;
  /**
   * A client must send a request's headers within this, on a new connection or between
   * requests (public ports and the API). Default 10 000 (--read-header-timeout).
   */
  readHeader: number;
  /** An idle keep-alive connection (public ports and the API) is closed after this. Default 60 000 (--idle-timeout). */
  idle: number;
  /**
   * A client must send a whole request, headers and body, within this; 0 for no limit.
   * Default 300 000 (--request-timeout).
   */
  request: number;
  /**
   * Response headers from the service behind a tunnel, counted from the moment the request
   * was written in full; past it the client gets 504 ERR_NGROK_3008. 0 waits forever.
   * Default 100 000 (--upstream-header-timeout).
   */
  upstreamHeader: number;
  /**
   * A static backend's address must be resolved, connected (and its TLS handshake done)
   * within this; past it the backend counts as unreachable (502 ERR_NGROK_8012, or the next
   * backend of a failover). Default 10 000 (--upstream-connect-timeout).
   */
  upstreamConnect: number;
  /**
   * On SIGTERM, in-flight requests and connections get this long to finish before the edge
   * exits anyway. Default 30 000 (--drain-timeout).
   */
  drain: number;
}

export const timeoutDefaults: EdgeTimeouts = {
  handshake: 10_000,
  readHeader: 10_000,
  idle: 60_000,
  request: 300_000,
  upstreamHeader: 100_000,
  upstreamConnect: 10_000,
  drain: 30_000,
};

/**
 * Defaults of the edge flags. The agent, HTTPS and HTTP addresses listen on every interface,
 * except with the default domain `localhost`, whose names only this machine resolves: then
 * on loopback (`localDefault`).
 */
export const edgeDefaults = {
  agentAddr: ':4443',
  httpsAddr: ':8443',
  httpAddr: ':8080',
  apiAddr: '127.0.0.1:8000',
  tcpPorts: '20000-20999',
  domain: 'localhost',
  region: 'local',
} as const;

/** The default of a listen flag for `domain`: on loopback when the domain is `localhost`. */
export function localDefault(addr: string, domain: string): string {
  return domain === 'localhost' && addr.startsWith(':') ? `127.0.0.1${addr}` : addr;
}

/** A bound address as a person reads it: "*:8443" for every interface. */
export function listenDisplay(host: string, port: number): string {
  if (host === '' || host === '0.0.0.0' || host === '::') return `*:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parses ":4443", "127.0.0.1:0", "[::1]:8443" or "8443". */
export function parseListenAddr(value: string, flag = 'address'): ListenAddr {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      `${flag}: "${value}" is not host:port (e.g. ":8443" or "127.0.0.1:0")`,
    );
  }
  return { host: m[1] ?? m[2] ?? '', port };
}

/** Parses "20000-20999", a single port "20000", or "0" (any free port). */
export function parsePortRange(value: string): PortRange {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || min > max || max > 65535 || (min === 0 && max !== 0)) {
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      `--tcp-ports: "${value}" is not a range like 20000-20999 (or 0 for any free port)`,
    );
  }
  return { min, max };
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration flag ("500ms", "10s", "5m", "1h"; a bare number is seconds) into milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * durationUnits[m[2] ?? 's']! : NaN;
  if (!m || !Number.isFinite(ms) || ms > 2_147_483_647) {
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      `${flag}: "${value}" is not a duration like 500ms, 10s, 5m or 1h (at most 24 days)`,
    );
  }
  return Math.round(ms);
}

/** Checks that timeouts fit together; throws ERR_CONFIG_INVALID naming the flag. */
export function checkTimeouts(t: EdgeTimeouts): EdgeTimeouts {
  if (t.readHeader < 1)
    throw new PorticoError(ErrorCode.ERR_CONFIG_INVALID, '--read-header-timeout: must be more than 0');
  if (t.handshake < 1) throw new PorticoError(ErrorCode.ERR_CONFIG_INVALID, '--handshake-timeout: must be more than 0');
  if (t.upstreamConnect < 1)
    throw new PorticoError(ErrorCode.ERR_CONFIG_INVALID, '--upstream-connect-timeout: must be more than 0');
  if (t.idle < 1) throw new PorticoError(ErrorCode.ERR_CONFIG_INVALID, '--idle-timeout: must be more than 0');
  if (t.request > 0 && t.request < t.readHeader)
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      '--request-timeout: must be 0 or at least --read-header-timeout',
    );
  return t;
}

/** Formats a bound address for clients: all-interfaces becomes "localhost". */
export function dialableAddr(host: string, port: number): string {
  const h = host === '' || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}
