/**
 * forward(): one call from "a local port" to "a public URL", in the spirit of @ngrok/ngrok's
 * `ngrok.forward()`. Settings not given are resolved by resolveSettings().
 */
import type { Logger } from '../log/logger.ts';
import type { TunnelProto } from '../protocol/messages.ts';
import { forwardsToFor } from './addr.ts';
import { moduleOptionNames, type EndpointModuleOptions } from './endpoint-modules.ts';
import type { Listener, ListenSpec } from './listener.ts';
import { AgentSession } from './session.ts';
import { resolveSettings } from './settings.ts';
import { checkTerminateTls } from './terminate-tls.ts';
import type { TerminateTls } from './terminate-tls.ts';
import type { AgentTraffic } from './traffic/traffic.ts';

/** What to forward, and how; the module options (basicAuth, cidrAllow, …) are applied by the edge. */
export interface ForwardOptions extends EndpointModuleOptions {
  /** The local service: a port (3000), `host:port` or a URL (`https://localhost:8443`). */
  addr: string | number;
  /** Default http (public over HTTPS; see `scheme`). */
  proto?: TunnelProto;
  /** http only: the public URL scheme. Default https. */
  scheme?: 'http' | 'https';
  authtoken?: string;
  /** Edge agent-ingress `host:port`. */
  serverAddr?: string;
  /** CA PEM for the edge's certificate (replaces the system roots). */
  caCert?: string | Buffer;
  /** The YAML config file consulted for missing settings. Default defaultAgentConfigPath(). */
  configPath?: string;
  /** Where the local edge's bootstrap.json is looked for. Default defaultDataDir(). */
  dataDir?: string;
  domain?: string;
  hostname?: string;
  subdomain?: string;
  remoteAddr?: string;
  poolingEnabled?: boolean;
  /** Makes this a labeled tunnel. */
  labels?: Record<string, string>;
  /** Tunnel metadata. */
  metadata?: string;
  /** Session metadata (Auth). */
  sessionMetadata?: string;
  region?: string;
  /** For `https://` upstreams. Default true. */
  verifyUpstreamTls?: boolean;
  /**
   * Zero-knowledge TLS (http and tls): the certificate (chain, PEM) the agent terminates TLS
   * with, so the edge relays only ciphertext. Needs `key`. Default none.
   */
  crt?: string | Buffer;
  /** The unencrypted PEM private key of `crt`. */
  key?: string | Buffer;
  /** Diagnostics: every chunk the edge relays on a proxy stream, before decryption (AgentSessionOptions.tap). */
  tap?: (tunnelId: string, chunk: Buffer) => void;
  /** Counts connections and observes HTTP requests (AgentSessionOptions.traffic). Default none. */
  traffic?: AgentTraffic;
  logger?: Logger;
}

export interface Forwarding {
  /** The public URL ("" for labeled tunnels). */
  url: string;
  id: string;
  listener: Listener;
  session: AgentSession;
  /** Closes the listener and the session. */
  close(): Promise<void>;
}

/** Connects to the edge, binds one tunnel and forwards it to `addr` until close(). */
export async function forward(options: ForwardOptions): Promise<Forwarding> {
  // Bad input (a certificate that does not match its key, …) fails before any connection.
  const spec = listenSpecFor(options);
  const settings = await resolveSettings({
    ...pickDefined({ authtoken: options.authtoken, serverAddr: options.serverAddr, caCert: options.caCert }),
    ...pickDefined({ configPath: options.configPath, dataDir: options.dataDir, region: options.region }),
  });
  const session = new AgentSession({
    serverAddr: settings.serverAddr,
    authtoken: settings.authtoken,
    ...pickDefined({
      ca: settings.ca,
      region: settings.region,
      metadata: options.sessionMetadata,
      logger: options.logger,
      tap: options.tap,
      traffic: options.traffic,
    }),
  });
  await session.connect();
  try {
    const listener = await session.listen(spec);
    return { url: listener.url, id: listener.id, listener, session, close: () => session.close() };
  } catch (err) {
    await session.close();
    throw err;
  }
}

/** The ListenSpec forward() binds. */
export function listenSpecFor(options: ForwardOptions): ListenSpec {
  const proto = options.proto ?? 'http';
  const terminateTls = terminateTlsFor(options);
  const modules = pickDefined(Object.fromEntries(moduleOptionNames.map((k) => [k, options[k]])));
  return {
    proto,
    forwardsTo: forwardsToFor(options.addr, options.labels ? 'labeled' : proto),
    ...pickDefined({
      scheme: options.scheme,
      domain: options.domain,
      hostname: options.hostname,
      subdomain: options.subdomain,
      remoteAddr: options.remoteAddr,
      poolingEnabled: options.poolingEnabled,
      labels: options.labels,
      metadata: options.metadata,
      verifyUpstreamTls: options.verifyUpstreamTls,
      terminateTls,
      modules: Object.keys(modules).length ? (modules as EndpointModuleOptions) : undefined,
    }),
  };
}

/** `crt` + `key` as a checked TerminateTls; both or neither (ERR_AGENT_TLS_CERT_INVALID). */
function terminateTlsFor(options: ForwardOptions): TerminateTls | undefined {
  if (options.crt === undefined && options.key === undefined) return undefined;
  const pair = { cert: options.crt?.toString() ?? '', key: options.key?.toString() ?? '' };
  checkTerminateTls(pair, 'forward({ crt, key })');
  return pair;
}

/** Drops undefined values (exactOptionalPropertyTypes-friendly spreading). */
function pickDefined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
