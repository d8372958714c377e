/**
 * Scale of sessions, on a fresh stack of its own (services, edge, agent) so that the edge's RSS
 * grows from a clean start: what the edge holds per idle tunnel (one agent session binding
 * BENCH_SESSIONS http endpoints, then a second session as many more), per idle agent session (BENCH_SESSIONS more sessions, one
 * tunnel each), and per open WebSocket (BENCH_WEBSOCKETS to an echo service through one tunnel,
 * plain HTTP port). Everything stays open until the end, so no step reuses memory an earlier
 * step freed. The account's session and tunnel limits (100 each by default) are raised first with
 * `portico account limits`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { spawnPortico } from './built-cli.ts';
import { startChild, type BenchChild } from './children.ts';
import { rssMiB } from './proc.ts';
import type { SessionsChildConfig, SessionsReady } from './sessions-child.ts';
import type { Settings } from './settings.ts';
import { startStack, type Stack } from './stack.ts';
import { openWebSockets } from './websockets.ts';

export interface ScaleStep {
  /** How many were asked for, and how many were open when RSS was read. */
  requested: number;
  open: number;
  /** Edge RSS growth, MiB, and per item in KiB. */
  edgeGrowthMiB: number;
  edgeKiB: number;
  /** Agent RSS growth per item, KiB (WebSockets only: the pool's agents hold one stream and one local connection each). */
  agentKiB?: number;
  seconds: number;
}

export interface ScalePhase {
  /** The bench's open-file limit (soft), and a note when it cut the WebSockets asked for. */
  fdLimit: number;
  note: string;
  edgeRssBefore: number;
  tunnels: ScaleStep;
  /**
   * As many idle tunnels again, on a second session: what each costs once the first binds have
   * paid what the edge allocates once (code compiled, heap and tables grown), which the first
   * step's figure includes.
   */
  moreTunnels: ScaleStep;
  sessions: ScaleStep;
  websockets: ScaleStep;
}

/** File descriptors kept for everything else when sizing the WebSocket step. */
const fdReserve = 1000;
/** WebSockets per session of the pool that serves them (the edge allows 500 streams per session). */
const webSocketsPerSession = 400;
/** Milliseconds the WebSockets have to open; those not open by then are left out. */
const openTimeoutMs = 60_000;
/** Milliseconds to let RSS settle before reading it. */
const settleMs = 1000;

/** What the steps share. */
interface ScaleContext {
  stack: Stack;
  settings: Settings;
  children: Array<BenchChild<unknown>>;
  log(text: string): void;
}

export async function scalePhase(
  tmp: string,
  settings: Settings,
  children: Array<BenchChild<unknown>>,
  running: Set<ChildProcess>,
  log: (text: string) => void,
): Promise<ScalePhase> {
  const fdLimit = openFileLimit();
  const wsCount = Math.max(0, Math.min(settings.websockets, fdLimit - fdReserve));
  const note =
    wsCount < settings.websockets
      ? `open-file limit ${fdLimit}: ${wsCount} WebSockets instead of ${settings.websockets} (raise it with ulimit -n)`
      : '';
  if (note) log(note);
  const stack = await startStack(join(tmp, 'scale'), children, settings.children);
  await raiseLimits(stack.dataDir, settings.sessions, stack.env, running);
  const ctx: ScaleContext = { stack, settings, children, log };
  await settle();
  const edgeRssBefore = rssMiB(stack.edge.pid);
  const tunnels = await idleStep(ctx, 'tunnels');
  const moreTunnels = await idleStep(ctx, 'more tunnels');
  const sessions = await idleStep(ctx, 'sessions');
  const websockets = await webSocketsStep(ctx, wsCount);
  for (const child of children.splice(children.indexOf(stack.services)).reverse()) await child.stop();
  return { fdLimit, note, edgeRssBefore, tunnels, moreTunnels, sessions, websockets };
}

/** A sessions child (bench/sessions-child.ts) against the scale edge, stopped with the bench's children. */
async function startSessions(
  ctx: ScaleContext,
  name: string,
  sessions: number,
  tunnelsPerSession: number,
  endpoint?: SessionsChildConfig['endpoint'],
): Promise<BenchChild<SessionsReady>> {
  const { edge, services, env } = ctx.stack;
  const config: SessionsChildConfig = {
    serverAddr: edge.ready.serverAddr,
    authtoken: edge.ready.authtoken,
    caPath: edge.ready.caPath,
    httpPort: services.ready.httpPort,
    sessions,
    tunnelsPerSession,
    ...(endpoint ? { endpoint } : {}),
  };
  const args = [JSON.stringify(config)];
  const child = await startChild<SessionsReady>(name, './sessions-child.ts', args, env, ctx.settings.children, {
    readyMs: 120_000,
  });
  ctx.children.push(child);
  return child;
}

/** BENCH_SESSIONS idle tunnels on one session (first or more), or as many idle sessions with one tunnel each. */
async function idleStep(ctx: ScaleContext, what: 'tunnels' | 'more tunnels' | 'sessions'): Promise<ScaleStep> {
  const n = ctx.settings.sessions;
  const before = rssMiB(ctx.stack.edge.pid);
  const started = performance.now();
  const child = await (what === 'sessions'
    ? startSessions(ctx, what, n, 1)
    : startSessions(ctx, what.replace(' ', '-'), 1, n));
  const seconds = (performance.now() - started) / 1000;
  await settle();
  const open = what === 'sessions' ? child.ready.sessions : child.ready.tunnels;
  const result = step(n, open, rssMiB(ctx.stack.edge.pid) - before, seconds);
  const labels = {
    tunnels: 'idle tunnels on one session',
    'more tunnels': 'more idle tunnels on a second session',
    sessions: 'idle agent sessions',
  };
  const label = labels[what];
  ctx.log(
    `scale: ${open} ${label}: edge +${result.edgeGrowthMiB.toFixed(1)} MiB, ${result.edgeKiB.toFixed(1)} KiB each`,
  );
  return result;
}

/** Opens `count` WebSockets through a pooled endpoint; RSS growth of the edge and of the pool's process. */
async function webSocketsStep(ctx: ScaleContext, count: number): Promise<ScaleStep> {
  const pool = await startSessions(ctx, 'ws-pool', Math.max(1, Math.ceil(count / webSocketsPerSession)), 1, {
    scheme: 'http',
    subdomain: 'bench-ws',
    poolingEnabled: true,
  });
  await settle();
  const { edge } = ctx.stack;
  const before = { edge: rssMiB(edge.pid), agent: rssMiB(pool.pid) };
  const target = { port: edge.ready.httpPort, hostHeader: new URL(pool.ready.url).host };
  const ws = await openWebSockets(target, count, openTimeoutMs);
  try {
    if (ws.failed) ctx.log(`scale: ${ws.failed} WebSockets failed, the first: ${ws.firstError}`);
    await settle();
    const result = step(count, ws.open, rssMiB(edge.pid) - before.edge, ws.ms / 1000);
    result.agentKiB = ((rssMiB(pool.pid) - before.agent) * 1024) / Math.max(1, ws.open);
    ctx.log(
      `scale: ${ws.open} WebSockets open in ${result.seconds.toFixed(1)} s: edge +${result.edgeGrowthMiB.toFixed(1)} MiB, ${result.edgeKiB.toFixed(1)} KiB each`,
    );
    return result;
  } finally {
    ws.close();
  }
}

function step(requested: number, open: number, growthMiB: number, seconds: number): ScaleStep {
  return { requested, open, edgeGrowthMiB: growthMiB, edgeKiB: (growthMiB * 1024) / Math.max(1, open), seconds };
}

const settle = () => new Promise((r) => setTimeout(r, settleMs));

/** `portico account limits default --max-sessions … --max-tunnels-per-session …` on the scale edge's data dir. */
async function raiseLimits(
  dataDir: string,
  n: number,
  env: NodeJS.ProcessEnv,
  running: Set<ChildProcess>,
): Promise<void> {
  const limit = String(n + 100);
  const cli = spawnPortico(
    [
      'account',
      'limits',
      'default',
      '--max-sessions',
      limit,
      '--max-tunnels-per-session',
      limit,
      '--data-dir',
      dataDir,
    ],
    env,
    running,
  );
  const code = await cli.exited;
  if (code !== 0) throw new Error(`portico account limits failed (${code}):\n${cli.output()}`);
}

/** The soft open-file limit of this process (children inherit it). */
function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = Number(line?.split(/\s{2,}/)[1]);
  return Number.isFinite(soft) ? soft : 1024;
}
