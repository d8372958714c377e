import { SeenAssertions } from '../edge/modules/saml/seen-assertions.ts';
import { oauthProviderTable } from '../edge/modules/oauth/providers.ts';
import { hkdfSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Bootstrap } from '../bootstrap/paths.ts';
import { openStore, type Store } from '../store/store.ts';
import { preparePrivateDir } from './data-dir.ts';
import { drainTraffic } from './drain.ts';
import {
  ensureBootstrapCredentials,
  loadOrCreateEdgeSecret,
  writeBootstrap,
  type BootstrapCredentials,
} from './bootstrap.ts';
import { dialableAddr, timeoutDefaults, type EdgeConfig } from '../edge/config.ts';
import { createAgentIngress } from '../edge/listeners/agent-ingress.ts';
import { connectionCount } from '../edge/listeners/listen.ts';
import { ConnectionBudget, defaultMaxConnections } from '../edge/listeners/connection-budget.ts';
import { createProxyServer, httpServerTimeouts } from '../edge/listeners/public-http.ts';
import { createPublicHttps } from '../edge/listeners/public-https.ts';
import { allocatePort, createTcpListeners } from '../edge/listeners/tcp.ts';
import { proxyConnection } from '../edge/proxy/conn-proxy.ts';
import { accessLog } from '../edge/proxy/access-log.ts';
import { createHttpProxy } from '../edge/proxy/http-proxy.ts';
import { allObservers } from '../edge/proxy/observe.ts';
import { OpenConnections } from '../edge/proxy/open-connections.ts';
import { StreamPools } from '../edge/proxy/stream-pools.ts';
import { certificateNameFor } from '../edge/routing/resolve-host.ts';
import { SnapshotSource } from '../edge/snapshot/source.ts';
import type { EventDispatcher } from '../edge/events/dispatcher.ts';
import { reportTcpConnectionClosed } from '../edge/events/tcp-connection-closed.ts';
import { TcpEdgeListeners } from '../edge/listeners/tcp-edges.ts';
import { KeptConnections } from '../edge/backends/static/kept-connections.ts';
import { ownListeners } from '../edge/backends/static/own-listeners.ts';
import { CertificateStore } from '../edge/tls/certificate-store.ts';
import { AcmeChallenges } from '../edge/tls/acme/challenges.ts';
import { AcmeManager } from '../edge/tls/acme/manager.ts';
import { withConnectionTls, withoutClientCertHeader } from '../edge/tls/https-requests.ts';
import { ReservedDomainCertificates } from '../edge/tls/reserved-domain-certificates.ts';
import { agentCertificate } from '../edge/tls/agent-certificate.ts';
import { loadOrCreateLocalCa } from '../edge/tls/local-ca.ts';
import { deriveEncryptionKey, secretBox } from '../config/secrets/key-encryption.ts';
import { callbackOriginFrom } from '../edge/modules/identity/callback-origin.ts';
import { defaultMaxBodyBytes } from '../edge/modules/webhook_verification/read-body.ts';
import { SnsCertificates } from '../edge/modules/webhook_verification/sns-certificates.ts';
import type { ModuleDeps } from '../edge/pipeline/build.ts';
import { AddrClaims } from '../edge/tunnels/addr-claims.ts';
import { StoreReservations } from '../config/ownership/reservations.ts';
import { TunnelRegistry } from '../edge/tunnels/registry.ts';
import { endRefusedSessions } from '../edge/tunnels/refused-agents.ts';
import { endRevokedSessions } from '../edge/tunnels/revoked-agents.ts';
import { SessionCookies } from '../edge/tunnels/session-cookie.ts';
import { closeParts, closing, Listener, startParts, type EdgePart } from './parts.ts';
import { EdgeMetrics } from './edge-metrics.ts';
import { agentDeps, agentNames } from './agent-ingress-deps.ts';
import { lazyApi } from './lazy-api.ts';
import { othersChanges } from './others-changes.ts';
import { eventDispatcher } from './events-part.ts';
import { sealLegacySecrets } from './seal-legacy-secrets.ts';

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
  /** This process's metrics, served at `/metrics` on the API address; more sources join here. */
  readonly metrics: EdgeMetrics;
  /** Audit and traffic events to the subscribed destinations; `stats()` for metrics. */
  readonly events: EventDispatcher;
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
  // Each part logs as its component, so --log-level can turn it up or down on its own.
  const log = (component: string) => logger.child({ component });
  const metrics = new EdgeMetrics();
  const timeouts = { ...timeoutDefaults, ...config.timeouts };
  await preparePrivateDir(dataDir);
  const store = await openStore({ dataDir, url: config.databaseUrl });
  const ca = await loadOrCreateLocalCa(join(dataDir, 'ca'));
  const edgeSecret = await loadOrCreateEdgeSecret(dataDir);
  const encryptionKey = deriveEncryptionKey(edgeSecret);
  const credentials = await ensureBootstrapCredentials(store, dataDir);
  await sealLegacySecrets(store, encryptionKey, log('api'));

  const cookieKey = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'portico identity cookies v1', 32));
  const callbackOrigin = callbackOriginFrom(config.identity?.callbackOrigin, cookieKey);

  // Certificates attached to reserved domains win over the edge's own, and follow the store.
  const attached = new ReservedDomainCertificates(store, encryptionKey, log('edge.tls'));
  const certificates = new CertificateStore({
    ca,
    domain,
    dir: join(dataDir, 'certs'),
    resolve: async (name) => attached.resolve(name),
    // Handshakes only start once the listeners (below) accept.
    issuable: (name) =>
      certificateNameFor(name, snapshots.current, registry) ??
      (name === callbackOrigin?.origin.hostname ? name : undefined),
  });

  const budget = new ConnectionBudget(config.maxConnections ?? defaultMaxConnections());
  const tcp = createTcpListeners(config.httpsAddr.host, config.tcpPorts, budget);
  const publicPorts = {
    get http(): number {
      return httpListener.port;
    },
    get https(): number {
      return httpsListener.port;
    },
  };
  // What modules are built with, for edge routes (snapshots) and agent endpoints (binds) alike.
  const modules: ModuleDeps = {
    openSecret: (accountId: string, sealed: string) => secretBox(encryptionKey, accountId).open(sealed),
    webhooks: {
      maxBodyBytes: config.webhooks?.maxBodyBytes ?? defaultMaxBodyBytes,
      snsCertificates: new SnsCertificates(config.webhooks?.sns),
    },
    identity: {
      cookieKey,
      allowHttpIssuers: config.identity?.allowHttpIssuers ?? false,
      samlAssertions: new SeenAssertions(store.usedOnce),
      oauthProviders: oauthProviderTable(config.identity?.oauthProviders, config.identity?.allowHttpIssuers),
      callbackOrigin,
    },
    decisions: metrics.decisions,
    logger: log('edge.modules'),
  };
  // Events: audit events from the API, traffic events from the proxy, to subscribed destinations.
  const events = eventDispatcher(config, {
    store,
    dataDir,
    openSecret: modules.openSecret,
    metrics,
    logger: logger.child({ component: 'events' }),
  });
  const proxyLog = log('edge.proxy');
  // TCP, TLS and WebSocket connections, closed when a later IP restriction of their account refuses them.
  const openConnections = new OpenConnections();
  const registry: TunnelRegistry = new TunnelRegistry({
    domain,
    region: config.region,
    tcpPorts: config.tcpPorts,
    publicPorts,
    tcp,
    reservations: new StoreReservations(store),
    addrClaims: new AddrClaims(edgeSecret),
    onTcpConnection: (group, socket) => {
      const ids = { accountId: group.accountId, endpointId: group.tunnels[0]?.endpointId };
      reportTcpConnectionClosed(events, socket, ids);
      // A source the account's IP restrictions refuse is disconnected before a byte reaches the agent.
      if (!openConnections.admit(snapshots.current, group.accountId, socket, proxyLog)) return void socket.destroy();
      void proxyConnection(group, socket, { proto: 'tcp', logger: proxyLog, ids });
    },
    modules,
    logger: log('edge.tunnels'),
  });

  // Configuration → snapshot: compiled at start, recompiled and swapped on every change.
  const streamPools = new StreamPools({ upstreamHeaderTimeoutMs: timeouts.upstreamHeader });
  // Static backends dial their addresses themselves, never one of this edge's own listeners.
  const upstream = {
    connectTimeoutMs: timeouts.upstreamConnect,
    extraCa: config.staticBackends?.ca ?? [],
    isOwnListener: ownListeners(() => [
      ...[httpListener, httpsListener, apiListener, agentListener].map((l) => l.port),
      ...tcp.ports(),
    ]),
  };
  const keptConnections = new KeptConnections(upstream);
  const snapshots = new SnapshotSource(
    store,
    { registry, streamPools, upstream, keptConnections, logger: log('edge.snapshot'), modules },
    log('edge.snapshot'),
  );
  const snapshot = () => snapshots.current;
  const tcpEdges = new TcpEdgeListeners(tcp, snapshot, log('edge.tcp'), openConnections, events);
  snapshots.on('swap', (next) => void tcpEdges.sync(next));
  snapshots.on('swap', (next) => openConnections.closeRefused(next.restrictions, proxyLog));
  snapshots.on('swap', (next) => endRefusedSessions(registry.sessions.values(), next.restrictions, log('edge.agents')));
  store.changes.on('change', (change) => endRevokedSessions(registry, change, log('edge.agents')));

  // Names this process in requests it forwards, so one that comes back is caught (proxy/loop.ts).
  const hopId = randomBytes(6).toString('hex');
  const proxy = {
    registry,
    snapshot,
    streamPools,
    hopId,
    httpsPort: () => publicPorts.https,
    callbackOrigin: modules.identity.callbackOrigin,
    events,
    openConnections,
    observer: allObservers([metrics.requests, config.accessLog === false ? undefined : accessLog(log('access'))]),
    logger: proxyLog,
  };
  const httpsTerminated = createProxyServer(
    withConnectionTls(createHttpProxy({ ...proxy, scheme: 'https' }), { snapshot, registry }),
    log('edge.listeners'),
    timeouts,
  );
  // It never listens itself (the HTTPS port hands it terminated connections), but Node starts
  // checking header and request timeouts on 'listening'.
  httpsTerminated.emit('listening');
  // ACME challenges in flight: HTTP-01 answered on the HTTP port, TLS-ALPN-01 on the HTTPS port.
  const acmeChallenges = new AcmeChallenges();
  const httpsListener: Listener = new Listener(
    'HTTPS listener',
    createPublicHttps({
      registry,
      snapshot,
      certificates,
      httpServer: httpsTerminated,
      acmeChallenges,
      handshakeTimeoutMs: timeouts.handshake,
      budget,
      events,
      openConnections,
      logger: log('edge.listeners'),
    }),
    config.httpsAddr,
  );
  const httpServer = budget.guard(
    createProxyServer(
      withoutClientCertHeader(createHttpProxy({ ...proxy, scheme: 'http' })),
      log('edge.listeners'),
      timeouts,
      acmeChallenges,
    ),
  );
  const httpListener: Listener = new Listener('HTTP listener', httpServer, config.httpAddr);

  // The API's code (Fastify, its schemas) loads with the first API connection (lazy-api.ts): a
  // restarted edge takes its agents back as early as it can (issue 13: the official SDK retries
  // 50 ms after a drop, then 2.5 s later, then only after 125 s), and an idle edge is smaller.
  const api = lazyApi(
    async () => {
      const { createApi } = await import('../api/server.ts');
      const app = await createApi({
        store,
        live: registry,
        domain,
        region: config.region,
        tcpHost: domain,
        httpsPort: () => publicPorts.https,
        allocateTcpPort: (taken) => allocatePort(config.tcpPorts, taken),
        encryptionKey,
        configError: (id) => snapshots.current.errors.get(id),
        restrictions: () => snapshots.current.restrictions,
        identity: { allowHttpIdentityProviders: config.identity?.allowHttpIssuers ?? false },
        audit: (accountId, type, object) => events.audit(accountId, type, object),
        httpServer: httpServerTimeouts(timeouts),
        metrics: { registry: () => metrics.registry(), key: config.metrics?.key },
        ...(config.api && { publicAddress: config.api }),
        logger: log('api'),
      });
      return app.server;
    },
    maxApiConnections,
    log('api'),
  );
  const apiListener = new Listener('API listener', api.server, config.apiAddr);
  // Automatic certificates (certificate_management_policy) when the edge is configured for ACME.
  const acme =
    config.acme &&
    new AcmeManager({
      store,
      encryptionKey,
      dataDir,
      config: config.acme,
      challenges: acmeChallenges,
      onOrder: metrics.acmeOrder,
      logger: log('edge.acme'),
    });
  if (acme) metrics.watchAcme(() => acme.domains());
  metrics.watchCertificates(() => attached.expiries());
  const ingress = createAgentIngress(
    await agentCertificate(ca, agentNames(config), join(dataDir, 'certs')),
    agentDeps(config, {
      store,
      registry,
      cookies: new SessionCookies(edgeSecret),
      authTimeoutMs: timeouts.handshake,
      restrictions: () => snapshots.current.restrictions,
    }),
    log('edge.agents'),
  );
  const agentListener = new Listener('agent ingress', ingress.server, config.agentAddr);
  metrics.watchTunnels({
    sessions: () => registry.sessions.size,
    tunnels: () => registry.tunnels.size,
    streams: () => {
      let open = 0;
      for (const mux of ingress.sessions) open += mux.activeStreams;
      return open;
    },
  });

  // Started in this order, closed in the reverse: agents are told to go first, the store last.
  const parts: EdgePart[] = [
    closing('store', () => store.close()),
    othersChanges(store, log('store')),
    // Closed after every listener, so events of the last requests are kept for the next start.
    { name: 'events', start: () => events.start(), close: () => events.close() },
    { name: 'reserved-domain certificates', start: () => attached.start(), close: async () => attached.stop() },
    { name: 'local certificates', start: () => certificates.init(), close: async () => {} },
    closing('TCP endpoints', () => {
      registry.close();
      tcp.closeAll();
    }),
    {
      name: 'snapshot',
      start: () => snapshots.start(),
      close: async () => (snapshots.stop(), tcpEdges.closeAll(), keptConnections.close()),
      stopAccepting: () => tcp.stopAccepting(),
    },
    httpsListener,
    closing('terminated HTTPS', () => httpsTerminated.close()),
    httpListener,
    agentListener,
    closing('agent sessions', async () => {
      ingress.drain('edge shutting down');
      // Give the GOAWAYs a moment on the wire before the sockets go.
      await new Promise((r) => setTimeout(r, 50));
      for (const mux of ingress.sessions) mux.destroy();
    }),
    apiListener,
    { name: 'ACME', start: async () => acme?.start(), close: async () => acme?.stop() },
  ];
  await startParts(parts);

  const bootstrap: Bootstrap = {
    api_url: `http://${dialableAddr(config.apiAddr.host, apiListener.port)}`,
    api_key: credentials.apiKey,
    authtoken: credentials.authtoken,
    agent_addr: dialableAddr(config.agentAddr.host, agentListener.port),
    https_addr: dialableAddr(config.httpsAddr.host, httpsListener.port),
    http_addr: dialableAddr(config.httpAddr.host, httpListener.port),
    domain,
    region: config.region,
    ca_cert: join(dataDir, 'ca', 'ca.pem'),
  };
  await writeBootstrap(dataDir, bootstrap);

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      // Nothing new is accepted while the parts close one by one.
      for (const part of parts) part.stopAccepting?.();
      await closeParts(parts);
    })());
  const drain = async (timeoutMs = timeouts.drain) => {
    await drainTraffic(
      {
        stopAccepting: () => parts.forEach((part) => part.stopAccepting?.()),
        closeIdle: () => [httpServer, httpsTerminated, api.loaded].forEach((server) => server?.closeIdleConnections()),
        inFlight: () => budget.used + connectionCount(api.server),
      },
      timeoutMs,
      logger,
    );
    await close();
  };

  return {
    bootstrap,
    credentials,
    ports: { agent: agentListener.port, https: httpsListener.port, http: httpListener.port, api: apiListener.port },
    registry,
    store,
    snapshots,
    certificates: attached,
    metrics,
    events,
    drain,
    close,
  };
}
