/**
 * Fast restart: the official SDK retries a lost edge after 50 ms, then 2.5 s, then 125 s. The
 * built edge is SIGKILLed and started again at once on the same data dir and ports; measured
 * from the new spawn until its agent port accepts, until bootstrap.json is written, and until a
 * request through the agent's tunnel (the agent reconnecting with its own backoff) answers again.
 * Stops the edge and agent afterwards.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { spawnEdge, startTimes, type StartTimes } from './built-cli.ts';
import { stop, type RunningCli } from './cli-phase.ts';
import { probe } from './load.ts';

export interface RestartPhase extends StartTimes {
  /** Milliseconds from the new spawn until a request through the tunnel answered 200 again. */
  tunnelMs: number;
}

export async function restartPhase(
  cli: RunningCli,
  env: NodeJS.ProcessEnv,
  running: Set<ChildProcess>,
  log: (text: string) => void,
): Promise<RestartPhase> {
  cli.edge.child.kill('SIGKILL');
  await cli.edge.exited;
  const startedAt = performance.now();
  const edge = spawnEdge(cli.dataDir, cli.ports, env, running);
  try {
    const times = await startTimes(edge, startedAt, cli.dataDir, cli.ports.agent);
    const tunnelMs = (await tunnelAnswers(cli)) - startedAt;
    log(
      `restart after SIGKILL: agent port ${times.agentAcceptMs.toFixed(0)} ms, bootstrap.json ${times.bootstrapMs.toFixed(0)} ms, tunnel answering ${tunnelMs.toFixed(0)} ms`,
    );
    return { ...times, tunnelMs };
  } finally {
    await stop(cli.agent);
    await stop(edge);
  }
}

/** Polls the tunnel through the HTTPS port every 10 ms; resolves with performance.now() of the first 200. */
async function tunnelAnswers(cli: RunningCli, timeoutMs = 30_000): Promise<number> {
  const bootstrap = JSON.parse(readFileSync(join(cli.dataDir, 'bootstrap.json'), 'utf8')) as { ca_cert: string };
  const url = new URL(cli.url);
  const target = {
    port: cli.ports.https,
    hostHeader: url.host,
    tls: { servername: url.hostname, ca: readFileSync(bootstrap.ca_cert, 'utf8') },
  };
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const res = await probe(target).catch(() => undefined);
    if (res?.status === 200) return performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the tunnel did not answer within ${timeoutMs} ms of the restart`);
}
