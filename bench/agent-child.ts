/**
 * Bench child: our agent, `forward()` from src/agent/forward.ts, with an https endpoint for the
 * HTTP service (and a second one with modules on), an http endpoint (served on the edge's
 * plain-HTTP port) for it, and a tcp endpoint for the TCP service. argv[2] is an AgentChildConfig as JSON.
 * Traffic is observed (connection counters, the HTTP tap) as the CLI does when its log is on
 * (on a terminal, its status screen also keeps the newest 100 requests); BENCH_AGENT_TRAFFIC=0
 * measures without.
 */
import { readFile } from 'node:fs/promises';
import { forward } from '../src/agent/forward.ts';
import { AgentTraffic } from '../src/agent/traffic/traffic.ts';
import { runChild } from './child-side.ts';
import { applyRuntimeSettings } from '../src/cli/runtime-settings.ts';

export interface AgentChildConfig {
  serverAddr: string;
  authtoken: string;
  caPath: string;
  httpPort: number;
  tcpPort: number;
}

export interface AgentReady {
  /** https://<name>.localhost:<port> */
  httpsUrl: string;
  /** The same service on an endpoint with modules: IP restriction, request and response headers. */
  httpsModulesUrl: string;
  /** http://<name>.localhost:<port>: the same service on the edge's plain-HTTP port. */
  httpUrl: string;
  /** tcp://localhost:<port> */
  tcpUrl: string;
}

// Portico's runtime settings, as `portico` applies them (src/cli/main.ts).
applyRuntimeSettings();

runChild<AgentReady>(async () => {
  const config = JSON.parse(process.argv[2] ?? '{}') as AgentChildConfig;
  const traffic = process.env.BENCH_AGENT_TRAFFIC === '0' ? undefined : new AgentTraffic();
  const common = {
    serverAddr: config.serverAddr,
    authtoken: config.authtoken,
    caCert: await readFile(config.caPath, 'utf8'),
    ...(traffic ? { traffic } : {}),
  };
  const http = await forward({ ...common, addr: `127.0.0.1:${config.httpPort}` });
  // An https endpoint's host is redirected to HTTPS on the plain-HTTP port; an http one is served there.
  const plain = await forward({ ...common, addr: `127.0.0.1:${config.httpPort}`, scheme: 'http' });
  // What the modules cost: the modules ngrok users put on most endpoints, all of them on.
  const httpModules = await forward({
    ...common,
    addr: `127.0.0.1:${config.httpPort}`,
    cidrAllow: ['127.0.0.0/8', '::1/128'],
    requestHeaderAdd: ['x-client-ip: ${conn.client_ip}'],
    requestHeaderRemove: ['cookie'],
    responseHeaderAdd: ['strict-transport-security: max-age=63072000'],
    responseHeaderRemove: ['x-powered-by'],
  });
  const tcp = await forward({ ...common, proto: 'tcp', addr: `127.0.0.1:${config.tcpPort}` });
  return {
    ready: { httpsUrl: http.url, httpsModulesUrl: httpModules.url, httpUrl: plain.url, tcpUrl: tcp.url },
    close: async () => {
      await Promise.all([http.close(), httpModules.close(), plain.close(), tcp.close()]);
    },
  };
});
