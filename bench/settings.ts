/** The bench's knobs, from the environment (documented in bench/README.md). */
import type { ChildRunner } from './children.ts';

export const MiB = 1024 * 1024;

export interface Settings {
  /** Seconds per measured HTTP run. BENCH_SECONDS, default 5. */
  seconds: number;
  /** Seconds of load before each measured HTTP run. BENCH_WARMUP_SECONDS, default 1. */
  warmupSeconds: number;
  /** Concurrent keep-alive connections. BENCH_CONNECTIONS, default 50. */
  connections: number;
  /** Bytes per bulk transfer (TCP and HTTP). BENCH_BYTES ("256M", "1G" or a number), default 256 MiB. */
  bytes: number;
  /** Direct/tunnel pairs; each metric is the median over rounds. BENCH_ROUNDS, default 1. */
  rounds: number;
  /** wrk threads. BENCH_WRK_THREADS, default 2. */
  wrkThreads: number;
  /** "wrk", "node" or "" (wrk when installed). BENCH_LOADGEN. */
  loadgen: string;
  /** Profile edge and agent during the tunnel runs. BENCH_PROFILE=1. */
  profile: boolean;
  /** How the traffic stack's processes run: `bundle` (built code) or `tsx`. BENCH_CHILDREN, default bundle, tsx with BENCH_PROFILE=1. */
  children: ChildRunner;
  /** Run the scale phase (idle sessions, tunnels, WebSockets). BENCH_SCALE=0 skips it. */
  scale: boolean;
  /** Idle tunnels, then idle agent sessions, in the scale phase. BENCH_SESSIONS, default 1000. */
  sessions: number;
  /** Concurrent WebSockets in the scale phase. BENCH_WEBSOCKETS, default 10000. */
  websockets: number;
  /** Where the JSON goes (profiles go beside it). BENCH_RESULTS, default bench/results/latest.json. */
  resultsPath: string;
  /** The edge logs as `portico edge` does (read by edge-child.ts). BENCH_EDGE_LOG=0 silences it. */
  edgeLog: boolean;
  /** The agent observes traffic as the CLI does (read by agent-child.ts). BENCH_AGENT_TRAFFIC=0 turns it off. */
  agentTraffic: boolean;
}

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  return {
    seconds: positive('BENCH_SECONDS', env.BENCH_SECONDS, 5),
    warmupSeconds: positive('BENCH_WARMUP_SECONDS', env.BENCH_WARMUP_SECONDS, 1, true),
    connections: Math.round(positive('BENCH_CONNECTIONS', env.BENCH_CONNECTIONS, 50)),
    bytes: sizeOf(env.BENCH_BYTES, 256 * MiB),
    rounds: Math.round(positive('BENCH_ROUNDS', env.BENCH_ROUNDS, 1)),
    wrkThreads: Math.round(positive('BENCH_WRK_THREADS', env.BENCH_WRK_THREADS, 2)),
    loadgen: env.BENCH_LOADGEN ?? '',
    profile: env.BENCH_PROFILE === '1',
    children: childRunner(env),
    scale: env.BENCH_SCALE !== '0',
    sessions: Math.round(positive('BENCH_SESSIONS', env.BENCH_SESSIONS, 1000)),
    websockets: Math.round(positive('BENCH_WEBSOCKETS', env.BENCH_WEBSOCKETS, 10_000)),
    resultsPath: env.BENCH_RESULTS || new URL('./results/latest.json', import.meta.url).pathname,
    edgeLog: onOff('BENCH_EDGE_LOG', env.BENCH_EDGE_LOG),
    agentTraffic: onOff('BENCH_AGENT_TRAFFIC', env.BENCH_AGENT_TRAFFIC),
  };
}

/** `1` (the default) or `0`. */
function onOff(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '1') return true;
  if (value === '0') return false;
  throw new Error(`${name}: "${value}" is not 0 or 1`);
}

function childRunner(env: NodeJS.ProcessEnv): ChildRunner {
  const value = env.BENCH_CHILDREN || (env.BENCH_PROFILE === '1' ? 'tsx' : 'bundle');
  if (value !== 'bundle' && value !== 'tsx') throw new Error(`BENCH_CHILDREN: "${value}" is not bundle or tsx`);
  return value;
}

function positive(name: string, value: string | undefined, fallback: number, zeroOk = false): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroOk))
    throw new Error(`${name}: "${value}" is not a positive number`);
  return n;
}

/** "268435456", "256M", "256MiB", "1G" (binary units). */
function sizeOf(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?$/i.exec(value.trim());
  if (!m) throw new Error(`BENCH_BYTES: "${value}" is not a size like 268435456, 256M or 1G`);
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes < 1) throw new Error(`BENCH_BYTES: "${value}" is less than one byte`);
  return bytes;
}

export function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${+(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}
