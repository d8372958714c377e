/**
 * `npm run bench`: HTTP requests/s and p99, TCP bulk MiB/s and edge/agent RSS, direct vs
 * through Portico, in one run on 127.0.0.1. Prints the table the targets of bench/README.md
 * are checked against and writes bench/results/latest.json. Knobs: bench/settings.ts and bench/README.md.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type { BenchChild } from './children.ts';
import { chooseTool, probe, type HttpTarget, type LoadOptions, type LoadTool } from './load.ts';
import { eventsPhase } from './events-phase.ts';
import { httpPhase, profilePath, tcpPhase, transferTimeoutMs, type PhaseContext } from './phases.ts';
import { formatProfile, summarizeProfile } from './profile.ts';
import { buildRows, formatTable, type Measurements } from './report.ts';
import { rssMiB } from './proc.ts';
import { formatBytes, MiB, readSettings, type Settings } from './settings.ts';
import { startStack } from './stack.ts';

const log = (text: string) => process.stderr.write(`bench: ${text}\n`);
let settings: Settings;
let tool: LoadTool;
try {
  settings = readSettings(process.env);
  tool = chooseTool(settings.loadgen);
} catch (err) {
  log((err as Error).message);
  process.exit(2);
}

const running = new Set<ChildProcess>();
const children: Array<BenchChild<unknown>> = [];
const tmp = await mkdtemp(join(os.tmpdir(), 'portico-bench-'));
// Profiles are written there during the run.
await mkdir(dirname(settings.resultsPath), { recursive: true });
const killAll = () => {
  for (const child of children) child.kill();
  for (const p of running) p.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
};
const abort = (why: string, code: number) => {
  log(why);
  process.exit(code);
};
// Runs on every exit, a crash included; after a normal run there is nothing left to kill.
process.on('exit', killAll);
// Bounded no matter what: startup and shutdown, then per round three HTTP runs with warm-up, two
// for the events phase, and eight transfers (four of them warm-ups of at most 32 MiB), each at its timeout.
const perRound =
  3 * (settings.warmupSeconds + settings.seconds + 15) * 1000 +
  2 * (settings.seconds + 15) * 1000 +
  4 * (transferTimeoutMs(settings.bytes) + transferTimeoutMs(32 * MiB));
const budgetMs = 90_000 + settings.rounds * perRound;
const watchdog = setTimeout(() => abort(`over its ${Math.round(budgetMs / 1000)} s budget, aborting`, 1), budgetMs);
process.once('SIGINT', () => abort('interrupted', 130));
process.once('SIGTERM', () => abort('terminated', 143));

try {
  const toolName =
    tool === 'wrk'
      ? 'wrk'
      : `built-in Node.js load generator (${settings.loadgen === 'node' ? 'BENCH_LOADGEN=node' : 'wrk not found'})`;
  const what = `${toolName}, ${settings.connections} connections x ${settings.seconds} s, 67-byte body; TCP ${formatBytes(settings.bytes)}; ${settings.rounds} round(s); ${os.availableParallelism()} CPUs`;
  log(what);
  const stack = await startStack(tmp, children);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = { edge: rssMiB(stack.edge.pid), agent: rssMiB(stack.agent.pid) };
  await check(stack.httpDirect, 'direct');
  await check(stack.httpTunnel, 'tunnel');
  await check(stack.httpModules, 'tunnel with modules');

  const load: LoadOptions = {
    tool,
    connections: settings.connections,
    seconds: settings.seconds,
    threads: settings.wrkThreads,
    running,
  };
  const ctx: PhaseContext = { stack, settings, load, log };
  const http = await httpPhase(ctx);
  const events = await eventsPhase(ctx);
  const tcp = await tcpPhase(ctx);
  const m: Measurements = {
    http: {
      direct: http.direct,
      tunnel: http.tunnel,
      modules: http.modules,
      serviceConnections: http.serviceConnections,
      cpuUsPerRequest: http.cpuUsPerRequest,
      events,
    },
    tcp: {
      downDirect: tcp.downDirect,
      downTunnel: tcp.downTunnel,
      upDirect: tcp.upDirect,
      upTunnel: tcp.upTunnel,
      cpuMsPerGiB: tcp.cpuMsPerGiB,
    },
    rss: { idle, httpLoad: http.rss, tcpLoad: tcp.rss },
  };
  const rows = buildRows(m);
  process.stdout.write(`\nPortico tunnel bench (${what})\n`);
  if (settings.profile)
    process.stdout.write(
      '(profiled run: the profiler slows the edge and agent, so tunnel numbers are lower than usual)\n',
    );
  process.stdout.write(`\n${formatTable(rows)}\n\n`);

  const environment = {
    node: process.version,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? '',
    platform: `${os.platform()} ${os.release()}`,
    loadgen: tool,
  };
  await writeFile(
    settings.resultsPath,
    JSON.stringify({ date: new Date().toISOString(), environment, settings, measurements: m, rows }, null, 2) + '\n',
  );
  log(`results written to ${settings.resultsPath}`);
  if (settings.profile) await printProfiles();
} catch (err) {
  process.exitCode = 1;
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  for (const child of children.reverse()) await child.stop();
  await rm(tmp, { recursive: true, force: true });
  clearTimeout(watchdog);
}

/** One request must answer 200 with the 67-byte body before anything is measured. */
async function check(target: HttpTarget, what: string): Promise<void> {
  const res = await probe(target);
  if (res.status !== 200 || res.body.length !== 67) {
    throw new Error(
      `${what}: expected 200 with 67 bytes, got ${res.status} with ${res.body.length}: ${res.body.toString().slice(0, 200)}`,
    );
  }
}

async function printProfiles(): Promise<void> {
  for (const phase of ['http', 'tcp']) {
    for (const name of ['edge', 'agent']) {
      const summary = await summarizeProfile(profilePath(settings, name, phase));
      process.stdout.write(`${formatProfile(`${name}, ${phase} tunnel run`, summary)}\n\n`);
    }
  }
}
