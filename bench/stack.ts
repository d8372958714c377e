/**
 * Starts what the bench measures, each in its own process as in a real deployment: the local
 * services, the edge, and our agent with https, http and tcp endpoints.
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentChildConfig, AgentReady } from './agent-child.ts';
import { launcherFlags } from './built-cli.ts';
import { startChild, type BenchChild, type ChildRunner } from './children.ts';
import type { EdgeReady } from './edge-child.ts';
import type { HttpTarget } from './load.ts';
import type { ServicesReady } from './services-child.ts';

export interface Stack {
  services: BenchChild<ServicesReady>;
  edge: BenchChild<EdgeReady>;
  agent: BenchChild<AgentReady>;
  httpDirect: HttpTarget;
  /** Through the tunnel, plain HTTP to the edge's HTTP port (an http endpoint). */
  httpPlain: HttpTarget;
  /** Through the tunnel, TLS at the edge's HTTPS port (an https endpoint). */
  httpTunnel: HttpTarget;
  /** Through the tunnel to an endpoint with modules (agent-child.ts). */
  httpModules: HttpTarget;
  tcpDirectPort: number;
  tcpTunnelPort: number;
  /** The edge's data directory (for `portico account limits`). */
  dataDir: string;
  env: NodeJS.ProcessEnv;
}

/** The environment of bench processes: the user's ~/.portico and agent config kept out of it. */
export function benchEnv(tmp: string, dataDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORTICO_DATA_DIR: dataDir,
    PORTICO_CONFIG: join(tmp, 'agent.yml'),
    XDG_CONFIG_HOME: tmp,
  };
}

/** Starts the three processes; each is pushed onto `children` as soon as it runs, for cleanup. */
export async function startStack(
  tmp: string,
  children: Array<BenchChild<unknown>>,
  runner: ChildRunner,
): Promise<Stack> {
  const dataDir = join(tmp, 'edge');
  const env = benchEnv(tmp, dataDir);
  mkdirSync(tmp, { recursive: true });
  const services = await startChild<ServicesReady>('services', './services-child.ts', [], env, runner);
  children.push(services);
  // The edge and the agent run with the V8 flags `portico` runs them with (bin/portico.cjs's launcher line).
  const edge = await startChild<EdgeReady>('edge', './edge-child.ts', [dataDir], env, runner, {
    stderrPath: join(tmp, 'edge.log'),
    nodeFlags: launcherFlags('edge'),
  });
  children.push(edge);
  const config: AgentChildConfig = {
    ...edge.ready,
    httpPort: services.ready.httpPort,
    tcpPort: services.ready.tcpPort,
  };
  const agent = await startChild<AgentReady>('agent', './agent-child.ts', [JSON.stringify(config)], env, runner, {
    nodeFlags: launcherFlags('agent'),
  });
  children.push(agent);

  const url = new URL(agent.ready.httpsUrl);
  const modulesUrl = new URL(agent.ready.httpsModulesUrl);
  const ca = await readFile(edge.ready.caPath, 'utf8');
  return {
    services,
    edge,
    agent,
    httpDirect: { port: services.ready.httpPort, hostHeader: `127.0.0.1:${services.ready.httpPort}` },
    httpPlain: { port: edge.ready.httpPort, hostHeader: new URL(agent.ready.httpUrl).host },
    httpTunnel: { port: edge.ready.httpsPort, hostHeader: url.host, tls: { servername: url.hostname, ca } },
    httpModules: {
      port: edge.ready.httpsPort,
      hostHeader: modulesUrl.host,
      tls: { servername: modulesUrl.hostname, ca },
    },
    tcpDirectPort: services.ready.tcpPort,
    tcpTunnelPort: Number(new URL(agent.ready.tcpUrl).port),
    dataDir,
    env,
  };
}
