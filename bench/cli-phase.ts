/**
 * Start-up and idle memory of the built CLI, as users run it: `portico --help` (printed by the
 * launcher's shell line) and `portico --version` (the CLI loaded in Node) beside a bare
 * `node -e 0`; `portico edge` started once on a new data dir (cold) then three times on the same
 * one (warm), to its agent port accepting and to bootstrap.json; then `portico http` against it,
 * and the idle RSS of both. The edge and agent are left running for the restart phase.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  freePorts,
  porticoBin,
  spawnEdge,
  spawnPortico,
  startTimes,
  withThisNode,
  type EdgePorts,
  type PorticoProcess,
  type StartTimes,
} from './built-cli.ts';
import { median } from './phases.ts';
import { rssMiB } from './proc.ts';

export interface CliPhase {
  /** Medians of 5 runs, milliseconds; max RSS in MiB (NaN without /usr/bin/time). */
  help: { ms: number; maxRssMiB: number };
  /** `portico --version`: Node started and the CLI loaded, as for any command. */
  version: { ms: number; maxRssMiB: number };
  node: { ms: number; maxRssMiB: number };
  /** First start, creating the data dir (store, CA, credentials). */
  coldStart: StartTimes;
  /** Median of 3 starts on the existing data dir. */
  warmStart: StartTimes;
  /** Milliseconds from `portico http` spawned to its "Forwarding" line (connected and bound). */
  agentStartMs: number;
  /** VmRSS just started: the edge 1 s after its warm start, the agent 1 s after it was forwarding, MiB. */
  idleRss: { edge: number; agent: number };
  /**
   * VmRSS of both once settled, `settleMs` after the agent was forwarding: past V8's memory
   * reducer, which collects start-up's garbage and shrinks the heap ~8 s after start, MiB.
   */
  settledRss: { edge: number; agent: number };
}

/** What the restart phase takes over: the running edge and agent, their ports and data dir. */
export interface RunningCli {
  edge: PorticoProcess;
  agent: PorticoProcess;
  ports: EdgePorts;
  dataDir: string;
  /** The agent's public URL. */
  url: string;
}

export interface CliOptions {
  tmp: string;
  env: NodeJS.ProcessEnv;
  running: Set<ChildProcess>;
  /** The local HTTP service the agent forwards to. */
  servicePort: number;
  log(text: string): void;
}

/** How long idle processes are left before their settled RSS is read: past V8's 8 s memory-reducer delay. */
const settleMs = 10_000;

export async function cliPhase(o: CliOptions): Promise<{ result: CliPhase; running: RunningCli }> {
  const [help, version, node] = await timedInTurn(
    [
      [porticoBin, ['--help']],
      [porticoBin, ['--version']],
      [process.execPath, ['-e', '0']],
    ],
    o,
  );
  o.log(
    `portico --help: ${help.ms.toFixed(0)} ms, ${help.maxRssMiB.toFixed(1)} MiB; portico --version: ${version.ms.toFixed(0)} ms, ${version.maxRssMiB.toFixed(1)} MiB; node -e 0: ${node.ms.toFixed(0)} ms`,
  );
  const dataDir = join(o.tmp, 'cli-edge');
  const [agent, https, http, api, inspect] = await freePorts(5);
  const ports = { agent: agent!, https: https!, http: http!, api: api! };
  const cold = await startEdge(dataDir, ports, o);
  const coldStart = cold.times;
  await stop(cold.process);
  const warm: StartTimes[] = [];
  let edge: PorticoProcess | undefined;
  for (let i = 0; i < 3; i++) {
    if (edge) await stop(edge);
    const started = await startEdge(dataDir, ports, o);
    warm.push(started.times);
    edge = started.process;
  }
  const warmStart = {
    agentAcceptMs: median(warm.map((w) => w.agentAcceptMs)),
    bootstrapMs: median(warm.map((w) => w.bootstrapMs)),
  };
  o.log(
    `portico edge: cold ${coldStart.bootstrapMs.toFixed(0)} ms to bootstrap.json; warm ${warmStart.agentAcceptMs.toFixed(0)} ms to the agent port, ${warmStart.bootstrapMs.toFixed(0)} ms to bootstrap.json`,
  );
  await new Promise((r) => setTimeout(r, 1000));
  const edgeIdle = rssMiB(edge!.pid);
  const agentStarted = performance.now();
  const agentProcess = spawnPortico(
    ['http', `127.0.0.1:${o.servicePort}`, '--inspect-addr', `127.0.0.1:${inspect}`],
    { ...o.env, PORTICO_DATA_DIR: dataDir },
    o.running,
  );
  const url = await forwarding(agentProcess);
  const agentStartMs = performance.now() - agentStarted;
  await new Promise((r) => setTimeout(r, 1000));
  const idleRss = { edge: edgeIdle, agent: rssMiB(agentProcess.pid) };
  o.log(
    `idle RSS 1 s after start: portico edge ${idleRss.edge.toFixed(1)} MiB, portico http ${idleRss.agent.toFixed(1)} MiB (agent ready in ${agentStartMs.toFixed(0)} ms)`,
  );
  await new Promise((r) => setTimeout(r, settleMs - 1000));
  const settledRss = { edge: rssMiB(edge!.pid), agent: rssMiB(agentProcess.pid) };
  o.log(
    `idle RSS settled (${settleMs / 1000} s): portico edge ${settledRss.edge.toFixed(1)} MiB, portico http ${settledRss.agent.toFixed(1)} MiB`,
  );
  return {
    result: { help, version, node, coldStart, warmStart, agentStartMs, idleRss, settledRss },
    running: { edge: edge!, agent: agentProcess, ports, dataDir, url },
  };
}

async function startEdge(
  dataDir: string,
  ports: EdgePorts,
  o: CliOptions,
): Promise<{ process: PorticoProcess; times: StartTimes }> {
  const startedAt = performance.now();
  const process = spawnEdge(dataDir, ports, o.env, o.running);
  return { process, times: await startTimes(process, startedAt, dataDir, ports.agent) };
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
export async function stop(p: PorticoProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(timer);
}

/** Waits for the agent's "Forwarding <url> -> <addr>" line; resolves with the URL. */
async function forwarding(agent: PorticoProcess, timeoutMs = 30_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const m = /Forwarding (\S+) ->/.exec(agent.output());
    if (m) return m[1]!;
    if (agent.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`portico http did not start forwarding:\n${agent.output()}`);
}

/**
 * Each command 5 times, taking turns (so that a slow spell of the machine falls on all of them
 * alike): the median wall time and the highest max RSS of each.
 */
async function timedInTurn(
  commands: ReadonlyArray<[program: string, args: string[]]>,
  o: CliOptions,
): Promise<Array<{ ms: number; maxRssMiB: number }>> {
  const runs = commands.map(() => ({ times: [] as number[], maxRss: NaN }));
  for (let i = 0; i < 5; i++)
    for (const [k, [program, args]] of commands.entries()) {
      const run = await once(program, args, o);
      const r = runs[k]!;
      r.times.push(run.ms);
      r.maxRss = Number.isNaN(r.maxRss) ? run.maxRssMiB : Math.max(r.maxRss, run.maxRssMiB);
    }
  return runs.map((r) => ({ ms: median(r.times), maxRssMiB: r.maxRss }));
}

const gnuTime = '/usr/bin/time';

function once(program: string, args: string[], o: CliOptions): Promise<{ ms: number; maxRssMiB: number }> {
  const withTime = existsSync(gnuTime);
  const [command, argv] = withTime ? [gnuTime, ['-f', 'BENCH_MAXRSS_KIB %M', program, ...args]] : [program, args];
  const started = performance.now();
  const child = spawn(command, argv, { env: withThisNode(o.env), stdio: ['ignore', 'ignore', 'pipe'] });
  o.running.add(child);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      o.running.delete(child);
      if (code !== 0) return reject(new Error(`${program} ${args.join(' ')} exited with ${code}: ${err}`));
      const kib = /BENCH_MAXRSS_KIB (\d+)/.exec(err);
      resolve({ ms, maxRssMiB: kib ? Number(kib[1]) / 1024 : NaN });
    });
  });
}
