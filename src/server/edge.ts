import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { createApi } from '../api/server.ts';
import type { Bootstrap } from '../bootstrap/paths.ts';
import { openStore, type Store } from '../store/store.ts';
import { preparePrivateDir } from './data-dir.ts';
import { drainTraffic } from './drain.ts';
import { ensureBootstrapCredentials, loadOrCreateEdgeSecret, writeBootstrap, type BootstrapCredentials } from './bootstrap.ts';
import { dialableAddr, timeoutDefaults, type EdgeConfig } from '../edge/config.ts';
import { createAgentIngress } from '../edge/listeners/agent-ingress.ts';
import { closeServer, connectionCount, listen, trackConnections } from '../edge/listeners/listen.ts';
import { ConnectionBudget, defaultMaxConnections } from '../edge/listeners/connection-budget.ts';
import { createProxyServer, httpServerTimeouts } from '../edge/listeners/public-http.ts';
import { createPublicHttps } from '../edge/listeners/public-https.ts';
import { allocatePort, createTcpListeners } from '../edge/listeners/tcp.ts';
import { proxyConnection } from '../edge/proxy/conn-proxy.ts';
import { createHttpProxy } from '../edge/proxy/http-proxy.ts';
import { TunnelAgents } from '../edge/proxy/tunnel-agents.ts';
import { certificateNameFor } from '../edge/routing/resolve-host.ts';
import { SnapshotSource } from '../edge/snapshot/source.ts';
import { TcpEdgeListeners } from '../edge/listeners/tcp-edges.ts';
import { CertificateStore } from '../edge/tls/certificate-store.ts';
import { AcmeChallenges } from '../edge/tls/acme/challenges.ts';
import { AcmeManager } from '../edge/tls/acme/manager.ts';
import { withConnectionTls, withoutClientCertHeader } from '../edge/tls/https-requests.ts';
import { ReservedDomainCertificates } from '../edge/tls/sni-resolver.ts';
import { issueLeafCertificate, loadOrCreateLocalCa } from '../edge/tls/local-ca.ts';
import { deriveEncryptionKey } from '../config/secrets/key-encryption.ts';
import { AddrClaims } from '../edge/tunnels/addr-claims.ts';
import { StoreReservations } from '../config/ownership/reservations.ts';
import { TunnelRegistry } from '../edge/tunnels/registry.ts';
import { SessionCookies } from '../edge/tunnels/session-cookie.ts';
import { porticoVersion } from '../version.ts';

/** Connections the API serves at once; its own cap, apart from the public one. */
const maxApiConnections = 256;

/** A running edge process: its bound addresses, its parts, and how to stop it. */
export interface Edge {
  readonly bootstrap: Bootstrap;
  readonly credentials: BootstrapCredentials;
  readonly ports: { agent: number; https: number; http: number; api: number };
  readonly registry: TunnelRegistry;
  readonly store: Store;
  /** The compiled configuration the listeners read. */
  readonly snapshots: SnapshotSource;
  /** Certificates attached to reserved domains, as the public port serves them. */
  readonly certificates: ReservedDomainCertificates;
  /**
   * Graceful stop: stops accepting, lets requests and connections in flight finish for up to
   * `timeoutMs` (default EdgeTimeouts.drain), then closes.
   */
  drain(timeoutMs?: number): Promise<void>;
  /** Sends GOAWAY to every agent, closes every listener and the store. */
  close(): Promise<void>;
}

/** Starts the edge: store, local CA, listeners; writes bootstrap.json once all accept. */
export async function startEdge(config: EdgeConfig): Promise<Edge> {
  const { dataDir, logger, domain } = config;
  const timeouts = { ...timeoutDefaults, ...config.timeouts };
  await preparePrivateDir(dataDir);
  const store = await openStore({ dataDir, url: config.databaseUrl });
  const ca = await loadOrCreateLocalCa(join(dataDir, 'ca'));
  const edgeSecret = await loadOrCreateEdgeSecret(dataDir);
  const encryptionKey = deriveEncryptionKey(edgeSecret);
  // Certificates attached to reserved domains win over the edge's own, and follow the store.
  const attached = new ReservedDomainCertificates(store, encryptionKey, logger);
  await attached.start();
  const certificates = new CertificateStore({
    ca,
    domain,
    dir: join(dataDir, 'certs'),
    resolve: async (name) => attached.resolve(name),
    // Handshakes only start once the listeners (below) accept.
    issuable: (name) => certificateNameFor(name, snapshots.current, registry),
  });
  await certificates.init();
  const credentials = await ensureBootstrapCredentials(store, dataDir);
  const cookies = new SessionCookies(edgeSecret);

  const publicPorts = { http: 0, https: 0 };
  const budget = new ConnectionBudget(config.maxConnections ?? defaultMaxConnections());
  const tcp = createTcpListeners(config.httpsAddr.host, config.tcpPorts, budget);
  const registry = new TunnelRegistry({
    domain,
    region: config.region,
    tcpPorts: config.tcpPorts,
    publicPorts,
    tcp,
    reservations: new StoreReservations(store),
    addrClaims: new AddrClaims(edgeSecret),
    onTcpConnection: (group, socket) => void proxyConnection(group, socket, 'tcp', logger),
    logger,
  });

  // Configuration → snapshot: compiled now, recompiled and swapped on every change.
  const agents = new TunnelAgents({ upstreamHeaderTimeoutMs: timeouts.upstreamHeader });
  const snapshots = new SnapshotSource(store, { registry, agents, logger }, logger);
  const snapshot = () => snapshots.current;
  // Names this process in requests it forwards, so one that comes back is caught (proxy/loop.ts).
  const hopId = randomBytes(6).toString('hex');
  const tcpEdges = new TcpEdgeListeners(tcp, snapshot, logger);
  snapshots.on('swap', (next) => void tcpEdges.sync(next));
  await snapshots.start();

  const httpsProxy = withConnectionTls(createHttpProxy({ registry, snapshot, agents, scheme: 'https', httpsPort: 0, hopId, logger }), { snapshot, registry });
  const httpsTerminated = createProxyServer(httpsProxy, logger, timeouts);
  // It never listens itself (the HTTPS port hands it terminated connections), but Node starts
  // checking header and request timeouts on 'listening'.
  httpsTerminated.emit('listening');
  // ACME challenges in flight: HTTP-01 answered on the HTTP port, TLS-ALPN-01 on the HTTPS port.
  const acmeChallenges = new AcmeChallenges();
  const httpsServer = trackConnections(createPublicHttps({ registry, snapshot, certificates, httpServer: httpsTerminated, acmeChallenges, handshakeTimeoutMs: timeouts.handshake, budget, logger }));
  publicPorts.https = await listen(httpsServer, config.httpsAddr, 'HTTPS listener');
  const httpProxy = withoutClientCertHeader(createHttpProxy({ registry, snapshot, agents, scheme: 'http', httpsPort: publicPorts.https, hopId, logger }));
  const httpServer = trackConnections(budget.guard(createProxyServer(httpProxy, logger, timeouts, acmeChallenges)));
  publicPorts.http = await listen(httpServer, config.httpAddr, 'HTTP listener');
  const api = await createApi({
    store,
    live: registry,
    domain,
    region: config.region,
    tcpHost: domain,
    allocateTcpPort: (taken) => allocatePort(config.tcpPorts, taken),
    encryptionKey,
    configError: (id) => snapshots.current.errors.get(id),
    httpServer: httpServerTimeouts(timeouts),
    logger,
  });
  const apiServer = trackConnections(api.server);
  apiServer.maxConnections = maxApiConnections;
  // Automatic certificates (certificate_management_policy) when the edge is configured for ACME.
  const acme = config.acme && new AcmeManager({ store, encryptionKey: deriveEncryptionKey(edgeSecret), dataDir, config: config.acme, challenges: acmeChallenges, logger });
  await acme?.start();
  const apiPort = await listen(apiServer, config.apiAddr, 'API listener');

  const ingressNames = [...new Set(['localhost', osHostname(), domain, config.agentAddr.host].filter((h) => h && !/^[\d.:]+$/.test(h)))];
  const ingressIps = [...new Set(['127.0.0.1', '::1', ...(/^[\d.:]+$/.test(config.agentAddr.host) && config.agentAddr.host !== '0.0.0.0' && config.agentAddr.host !== '::' ? [config.agentAddr.host] : [])])];
  const ingressCert = await issueLeafCertificate(ca, { dnsNames: ingressNames, ipAddresses: ingressIps });
  const ingress = createAgentIngress(
    ingressCert,
    {
      registry,
      cookies,
      limits: (accountId) => store.accountLimits.get(accountId),
      region: config.region,
      version: porticoVersion,
      authTimeoutMs: timeouts.handshake,
      logger,
      authenticate: async (token) => {
        const hit = await store.credentials.authenticate(token);
        return hit && { accountId: hit.account.id, accountName: hit.account.name, credentialId: hit.credential.id, acl: hit.credential.acl };
      },
    },
    logger,
  );
  trackConnections(ingress.server);
  const agentPort = await listen(ingress.server, config.agentAddr, 'agent ingress');

  const bootstrap: Bootstrap = {
    api_url: `http://${dialableAddr(config.apiAddr.host, apiPort)}`,
    api_key: credentials.apiKey,
    authtoken: credentials.authtoken,
    agent_addr: dialableAddr(config.agentAddr.host, agentPort),
    https_addr: dialableAddr(config.httpsAddr.host, publicPorts.https),
    http_addr: dialableAddr(config.httpAddr.host, publicPorts.http),
    domain,
    region: config.region,
    ca_cert: join(dataDir, 'ca', 'ca.pem'),
  };
  await writeBootstrap(dataDir, bootstrap);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting first, so agents told to go away cannot reconnect to this process.
      const servers: net.Server[] = [ingress.server, httpsServer, httpServer, apiServer];
      for (const server of servers) server.close();
      httpsTerminated.close();
      ingress.drain('edge shutting down');
      snapshots.stop();
      attached.stop();
      tcpEdges.closeAll();
      registry.close();
      tcp.closeAll();
      // Give the GOAWAYs a moment on the wire before the sockets go.
      await new Promise((r) => setTimeout(r, 50));
      for (const mux of ingress.sessions) mux.destroy();
      await Promise.all(servers.map((s) => closeServer(s)));
      await acme?.stop();
      await store.close();
    })());

  const drain = async (timeoutMs = timeouts.drain) => {
    await drainTraffic(
      {
        stopAccepting: () => {
          for (const server of [ingress.server, httpsServer, httpServer, apiServer]) server.close();
          tcp.stopAccepting();
        },
        closeIdle: () => {
          for (const server of [httpServer, httpsTerminated, api.server]) server.closeIdleConnections();
        },
        inFlight: () => budget.used + connectionCount(apiServer),
      },
      timeoutMs,
      logger,
    );
    await close();
  };

  return {
    bootstrap,
    credentials,
    ports: { agent: agentPort, https: publicPorts.https, http: publicPorts.http, api: apiPort },
    registry,
    store,
    snapshots,
    certificates: attached,
    drain,
    close,
  };
}
