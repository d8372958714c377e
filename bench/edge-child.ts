/**
 * Bench child: a real edge on 127.0.0.1 with every port 0. argv[2] is its data dir. It logs as
 * `portico edge` does (text, info, an access-log line per request) to its stderr, which the bench
 * points at a file (stack.ts), so the bench counts what logging costs; BENCH_EDGE_LOG=0 silences it.
 */
import { parseListenAddr } from '../src/edge/config.ts';
import { startEdge } from '../src/server/edge.ts';
import { createLogger, silentLogger } from '../src/log/logger.ts';
import { runChild } from './child-side.ts';
import { applyRuntimeSettings } from '../src/cli/runtime-settings.ts';

export interface EdgeReady {
  /** "127.0.0.1:<port>" of the agent ingress. */
  serverAddr: string;
  httpsPort: number;
  /** The plain-HTTP public port. */
  httpPort: number;
  authtoken: string;
  /** Path of the edge's local CA (PEM). */
  caPath: string;
  /** The REST API and its bootstrap key (the events phase subscribes through it). */
  apiUrl: string;
  apiKey: string;
}

const dataDir = process.argv[2];

// Portico's runtime settings, as `portico` applies them (src/cli/main.ts).
applyRuntimeSettings();

runChild<EdgeReady>(async () => {
  if (!dataDir) throw new Error('usage: edge-child.ts <data dir>');
  const loopback = () => parseListenAddr('127.0.0.1:0');
  const edge = await startEdge({
    dataDir,
    agentAddr: loopback(),
    httpsAddr: loopback(),
    httpAddr: loopback(),
    apiAddr: loopback(),
    tcpPorts: { min: 0, max: 0 },
    domain: 'localhost',
    region: 'local',
    logger: process.env.BENCH_EDGE_LOG === '0' ? silentLogger : createLogger(),
  });
  return {
    ready: {
      serverAddr: `127.0.0.1:${edge.ports.agent}`,
      httpsPort: edge.ports.https,
      httpPort: edge.ports.http,
      authtoken: edge.credentials.authtoken,
      caPath: edge.bootstrap.ca_cert,
      apiUrl: edge.bootstrap.api_url,
      apiKey: edge.credentials.apiKey,
    },
    close: () => edge.close(),
  };
});
