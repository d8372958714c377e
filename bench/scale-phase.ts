/**
 * Scale of sessions, on a fresh stack of its own (services, edge, agent) so that the edge's RSS
 * grows from a clean start: what the edge holds per idle tunnel (one agent session binding
 * BENCH_SESSIONS http endpoints), per idle agent session (BENCH_SESSIONS more sessions, one
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
import type { SessionsChildConfig } from './sessions-child.ts';
import type { Settings } from './settings.ts';
import { startStack } from './stack.ts';
import { openWebSockets } from './websockets.ts';

export interface ScaleStep {
  /** How many were asked for, and how many were open when RSS was read. */
  requested: number;
  open: number;
  /** Edge RSS growth, MiB, and per item in KiB. */
  edgeGrowthMiB: number;
  edgeKiB: number;
  /** Agent RSS growth per item, KiB (WebSockets only: the agent holds one stream and one local connection each). */
  agentKiB?: number;
  seconds: number;
}

export interface ScalePhase {
  /** The bench's open-file limit (soft), and a note when it cut the WebSockets asked for. */
  fdLimit: number;
  note: string;
  edgeRssBefore: number;
  tunnels: ScaleStep;
  sessions: ScaleStep;
  websockets: ScaleStep;
}

/** File descriptors kept for everything else when sizing the WebSocket step. */
const fdReserve = 1000;
/** Milliseconds to let RSS settle before reading it. */
const settleMs = 1000;

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
  const stack = await startStack(join(tmp, 'scale'), children);
  const n = settings.sessions;
  await raiseLimits(stack.dataDir, n, stack.env, running);
  const edgeRss = () => rssMiB(stack.edge.pid);
  await settle();
  const edgeRssBefore = edgeRss();
  const config = (sessions: number, tunnelsPerSession: number): SessionsChildConfig => ({
    serverAddr: stack.edge.ready.serverAddr,
    authtoken: stack.edge.ready.authtoken,
    caPath: stack.edge.ready.caPath,
    httpPort: stack.services.ready.httpPort,
    sessions,
    tunnelsPerSession,
  });
  const sessionsStep = async (
    name: string,
    c: SessionsChildConfig,
    count: (r: { sessions: number; tunnels: number }) => number,
  ) => {
    const before = edgeRss();
    const started = performance.now();
    const child = await startChild<{ sessions: number; tunnels: number }>(
      name,
      './sessions-child.ts',
      [JSON.stringify(c)],
      stack.env,
      120_000,
    );
    children.push(child);
    const seconds = (performance.now() - started) / 1000;
    await settle();
    return step(n, count(child.ready), edgeRss() - before, seconds);
  };
  const tunnels = await sessionsStep('tunnels', config(1, n), (r) => r.tunnels);
  log(
    `scale: ${tunnels.open} idle tunnels on one session: edge +${tunnels.edgeGrowthMiB.toFixed(1)} MiB, ${tunnels.edgeKiB.toFixed(1)} KiB each`,
  );
  const sessions = await sessionsStep('sessions', config(n, 1), (r) => r.sessions);
  log(
    `scale: ${sessions.open} idle agent sessions: edge +${sessions.edgeGrowthMiB.toFixed(1)} MiB, ${sessions.edgeKiB.toFixed(1)} KiB each`,
  );

  const before = { edge: edgeRss(), agent: rssMiB(stack.agent.pid) };
  const ws = await openWebSockets(stack.httpPlain, wsCount, 60_000);
  if (ws.failed) log(`scale: ${ws.failed} WebSockets failed, the first: ${ws.firstError}`);
  await settle();
  const websockets = step(wsCount, ws.open, edgeRss() - before.edge, ws.ms / 1000);
  websockets.agentKiB = ((rssMiB(stack.agent.pid) - before.agent) * 1024) / Math.max(1, ws.open);
  log(
    `scale: ${ws.open} WebSockets open in ${(ws.ms / 1000).toFixed(1)} s: edge +${websockets.edgeGrowthMiB.toFixed(1)} MiB, ${websockets.edgeKiB.toFixed(1)} KiB each`,
  );
  ws.close();
  for (const child of children.splice(children.indexOf(stack.services)).reverse()) await child.stop();
  return { fdLimit, note, edgeRssBefore, tunnels, sessions, websockets };
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
