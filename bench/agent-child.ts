/**
 * Bench child: our agent, `forward()` from src/agent/forward.ts, with an https endpoint for the
 * HTTP service and a tcp endpoint for the TCP service. argv[2] is an AgentChildConfig as JSON.
 * Traffic is observed (connection counters, the HTTP tap) as the CLI does when its status screen
 * or log is on; BENCH_AGENT_TRAFFIC=0 measures without.
 */
import { readFile } from 'node:fs/promises';
import { forward } from '../src/agent/forward.ts';
import { AgentTraffic } from '../src/agent/traffic/traffic.ts';
import { runChild } from './child-side.ts';

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
  /** tcp://localhost:<port> */
  tcpUrl: string;
}

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
  const tcp = await forward({ ...common, proto: 'tcp', addr: `127.0.0.1:${config.tcpPort}` });
  return {
    ready: { httpsUrl: http.url, tcpUrl: tcp.url },
    close: async () => {
      await Promise.all([http.close(), tcp.close()]);
    },
  };
});
