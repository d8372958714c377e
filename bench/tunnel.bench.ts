/**
 * `npm run bench`: every figure of issue 13's table in one run on 127.0.0.1: HTTP req/s and p99
 * through the edge's HTTP and HTTPS ports, HTTP and TCP bulk MiB/s, each against a direct
 * connection; start time, idle RSS and restart of the built CLI; RSS under load; and the scale of
 * idle sessions and WebSockets. Prints the table the targets of bench/README.md are checked
 * against and writes bench/results/latest.json. Knobs: bench/settings.ts and bench/README.md.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { ensureBuilt } from './built-cli.ts';
import { startFloor } from './floor.ts';
import { bulkPhase } from './bulk-phase.ts';
import { bundleChildren } from './bundle.ts';
import type { BenchChild } from './children.ts';
import { cliPhase } from './cli-phase.ts';
import { eventsPhase, maxFillWarmUps } from './events-phase.ts';
import { httpDownload, httpUpload } from './http-bulk.ts';
import { httpPhase } from './http-phase.ts';
import { chooseTool, probe, type HttpTarget, type LoadOptions, type LoadTool } from './load.ts';
import { profilePath, transferTimeoutMs, type PhaseContext } from './phases.ts';
import { rssMiB } from './proc.ts';
import { formatProfile, summarizeProfile } from './profile.ts';
import { buildRows, type Measurements } from './report.ts';
import { restartPhase } from './restart-phase.ts';
import { scalePhase } from './scale-phase.ts';
import { formatBytes, MiB, readSettings, type Settings } from './settings.ts';
import { benchEnv, startStack } from './stack.ts';
import { formatTable } from './table.ts';
import { download, upload } from './tcp-bulk.ts';

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
const budgetMs = budget(settings);
const watchdog = setTimeout(() => abort(`over its ${Math.round(budgetMs / 1000)} s budget, aborting`, 1), budgetMs);
process.once('SIGINT', () => abort('interrupted', 130));
process.once('SIGTERM', () => abort('terminated', 143));

try {
  const toolName =
    tool === 'wrk'
      ? 'wrk'
      : `built-in Node.js load generator (${settings.loadgen === 'node' ? 'BENCH_LOADGEN=node' : 'wrk not found'})`;
  const scale = settings.scale ? `${settings.sessions} sessions, ${settings.websockets} WebSockets` : 'no scale phase';
  const what = `${toolName}, ${settings.connections} connections x ${settings.seconds} s, 67-byte body; bulk ${formatBytes(settings.bytes)}; ${settings.rounds} round(s); ${scale}; children ${settings.children}${settings.edgeLog ? '' : ', edge log off'}${settings.agentTraffic ? '' : ', agent traffic observation off'}; ${os.availableParallelism()} CPUs`;
  log(what);
  ensureBuilt(log);
  if (settings.children === 'bundle') await bundleChildren();
  const stack = await startStack(tmp, children, settings.children);
  await new Promise((r) => setTimeout(r, 1000));
  const stackIdle = { edge: rssMiB(stack.edge.pid), agent: rssMiB(stack.agent.pid) };
  await check(stack.httpDirect, 'direct');
  await check(stack.httpPlain, 'tunnel, HTTP port');
  await check(stack.httpTunnel, 'tunnel, HTTPS port');
  await check(stack.httpModules, 'tunnel with modules');
  const floor = await startFloor(stack, children, settings.children);
  await new Promise((r) => setTimeout(r, 1000));
  const floorIdle = rssMiB(floor.entry.pid) + rssMiB(floor.exit.pid);
  await check(floor.http, 'floor, plain');
  await check(floor.https, 'floor, TLS');

  // The built CLI first, while the machine is quiet: its start times are the figures most upset by load.
  const cliOptions = {
    tmp,
    env: benchEnv(tmp, join(tmp, 'cli-edge')),
    running,
    servicePort: stack.services.ready.httpPort,
    log,
  };
  const cli = await cliPhase(cliOptions);
  const restart = await restartPhase(cli.running, cliOptions.env, running, log);

  const load: LoadOptions = {
    tool,
    connections: settings.connections,
    seconds: settings.seconds,
    threads: settings.wrkThreads,
    running,
  };
  const ctx: PhaseContext = { stack, floor, settings, load, log };
  const http = await httpPhase(ctx);
  const httpBulk = await bulkPhase(
    ctx,
    'HTTP',
    { down: (b, t) => httpDownload(stack.httpDirect, b, t), up: (b, t) => httpUpload(stack.httpDirect, b, t) },
    { down: (b, t) => httpDownload(stack.httpTunnel, b, t), up: (b, t) => httpUpload(stack.httpTunnel, b, t) },
    { down: (b, t) => httpDownload(floor.https, b, t), up: (b, t) => httpUpload(floor.https, b, t) },
  );
  const tcp = await bulkPhase(
    ctx,
    'TCP',
    { down: (b, t) => download(stack.tcpDirectPort, b, t), up: (b, t) => upload(stack.tcpDirectPort, b, t) },
    { down: (b, t) => download(stack.tcpTunnelPort, b, t), up: (b, t) => upload(stack.tcpTunnelPort, b, t) },
    { down: (b, t) => download(floor.tcpPort, b, t), up: (b, t) => upload(floor.tcpPort, b, t) },
  );
  // What edge, agent and floor keep once the bulk transfers are over (memory freed inside the
  // allocator's heap stays in RSS: bench/README.md).
  await new Promise((r) => setTimeout(r, 1000));
  const afterBulk = {
    edge: rssMiB(stack.edge.pid),
    agent: rssMiB(stack.agent.pid),
    floor: rssMiB(floor.entry.pid) + rssMiB(floor.exit.pid),
  };
  // After the bulk phases, so that their peaks are not of memory the dead destination's queue left.
  const events = await eventsPhase(ctx);
  const scaled = settings.scale ? await scalePhase(tmp, settings, children, running, log) : null;
  const m: Measurements = {
    http: { ...http, events },
    httpBulk,
    tcp,
    stackIdle,
    floorIdle,
    afterBulk,
    cli: cli.result,
    restart,
    scale: scaled,
  };
  const rows = buildRows(m);
  process.stdout.write(`\nPortico bench (${what})\n`);
  if (settings.profile)
    process.stdout.write(
      '(profiled run: the profiler slows the edge and agent, so tunnel numbers are lower than usual)\n',
    );
  if (scaled?.note) process.stdout.write(`(${scaled.note})\n`);
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
  for (const p of running) p.kill('SIGKILL');
  await rm(tmp, { recursive: true, force: true });
  clearTimeout(watchdog);
}

/**
 * Milliseconds the whole run may take, every step at its own timeout: start-up, build and the
 * CLI and restart phases; per round six HTTP runs with warm-up (two through the floor) and two
 * for the events phase (with up to 1 + maxFillWarmUps warm-ups), and twenty-four transfers (HTTP
 * and TCP, direct, tunnel and floor; half of them warm-ups of at most 32 MiB); the scale phase.
 */
function budget(s: Settings): number {
  const perRound =
    6 * (s.warmupSeconds + s.seconds + 15) * 1000 +
    (2 * (s.seconds + 15) + (1 + maxFillWarmUps) * s.warmupSeconds) * 1000 +
    12 * (transferTimeoutMs(s.bytes) + transferTimeoutMs(32 * MiB));
  const cli = 120_000 + 6 * 30_000;
  const scale = s.scale ? 60_000 + 3 * 120_000 + 60_000 : 0;
  return 90_000 + cli + s.rounds * perRound + scale;
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
  for (const phase of ['http', 'http-bulk', 'tcp']) {
    for (const name of ['edge', 'agent']) {
      const summary = await summarizeProfile(profilePath(settings, name, phase));
      process.stdout.write(`${formatProfile(`${name}, ${phase} tunnel run`, summary)}\n\n`);
    }
  }
}
