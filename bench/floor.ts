/**
 * Starts the floor (floor-child.ts): an exit in the agent's place and an entry in the edge's,
 * joined by one TLS session, carrying to the same services as the traffic stack.
 */
import { launcherFlags } from './built-cli.ts';
import { startChild, type BenchChild, type ChildRunner } from './children.ts';
import type { FloorChildConfig, FloorReady } from './floor-child.ts';
import type { HttpTarget } from './load.ts';
import type { Stack } from './stack.ts';

export interface Floor {
  entry: BenchChild<FloorReady>;
  exit: BenchChild<FloorReady>;
  /** Plain HTTP into the entry, as to the edge's HTTP port. */
  http: HttpTarget;
  /** HTTP over TLS terminated at the entry, as at the edge's HTTPS port. */
  https: HttpTarget;
  tcpPort: number;
}

/** Starts both sides; each is pushed onto `children` as soon as it runs, for cleanup. */
export async function startFloor(
  stack: Stack,
  children: Array<BenchChild<unknown>>,
  runner: ChildRunner,
): Promise<Floor> {
  const { caPath } = stack.edge.ready;
  const { httpPort, tcpPort } = stack.services.ready;
  // Each side runs with the flags of the process in its place: the entry the edge's, the exit the agent's.
  const start = async (name: string, config: FloorChildConfig) => {
    const child = await startChild<FloorReady>(name, './floor-child.ts', [JSON.stringify(config)], stack.env, runner, {
      nodeFlags: launcherFlags(config.role === 'entry' ? 'edge' : 'agent'),
    });
    children.push(child);
    return child;
  };
  const exit = await start('floor exit', { role: 'exit', caPath, httpPort, tcpPort });
  const entry = await start('floor entry', { role: 'entry', caPath, exitPort: exit.ready.sessionPort });
  const { hostHeader } = stack.httpDirect;
  return {
    entry,
    exit,
    http: { port: entry.ready.httpPort, hostHeader },
    https: { port: entry.ready.httpsPort, hostHeader, tls: { servername: 'localhost', ca: stack.httpTunnel.tls!.ca } },
    tcpPort: entry.ready.tcpPort,
  };
}
