/**
 * The measured phases: HTTP direct then through the tunnel, TCP bulk direct then through the
 * tunnel, `rounds` times; each metric is the median over rounds. Edge and agent RSS is sampled
 * (and, with BENCH_PROFILE=1, both are profiled) while tunnel traffic runs.
 */
import { dirname, join } from 'node:path';
import { runLoad, type HttpTarget, type LoadOptions, type LoadResult } from './load.ts';
import { countCpu, sampleRss, type RssPeaks } from './proc.ts';
import type { Stack } from './stack.ts';
import { MiB, type Settings } from './settings.ts';
import { download, upload } from './tcp-bulk.ts';

export interface PhaseContext {
  stack: Stack;
  settings: Settings;
  load: LoadOptions;
  log(text: string): void;
}

export interface HttpPhase {
  direct: LoadResult;
  tunnel: LoadResult;
  /** Through the tunnel to the endpoint with modules. */
  modules: LoadResult;
  /** TCP connections the local service accepted per measured run (wrk opens `connections`). */
  serviceConnections: { direct: number; tunnel: number };
  /** CPU microseconds per request, by process (service, edge, agent). */
  cpuUsPerRequest: { direct: Record<string, number>; tunnel: Record<string, number> };
  rss: RssPeaks;
}

export interface TcpPhase {
  /** MiB/s. */
  downDirect: number;
  downTunnel: number;
  upDirect: number;
  upTunnel: number;
  /** CPU milliseconds per GiB moved (download and upload together), by process. */
  cpuMsPerGiB: { direct: Record<string, number>; tunnel: Record<string, number> };
  rss: RssPeaks;
}

/** Milliseconds one transfer of `bytes` may take: 10 s plus 10 MiB/s, far below any real rate. */
export function transferTimeoutMs(bytes: number): number {
  return 10_000 + (bytes / (10 * MiB)) * 1000;
}

export async function httpPhase(ctx: PhaseContext): Promise<HttpPhase> {
  const direct: LoadResult[] = [];
  const tunnel: LoadResult[] = [];
  const modules: LoadResult[] = [];
  const totals: Record<'direct' | 'tunnel', RunTotals> = { direct: newTotals(), tunnel: newTotals() };
  const peaks: RssPeaks[] = [];
  for (let round = 0; round < ctx.settings.rounds; round++) {
    await warm(ctx, ctx.stack.httpDirect);
    direct.push(await counted(ctx, 'direct', ctx.stack.httpDirect, totals.direct));
    await warm(ctx, ctx.stack.httpTunnel);
    const t = await underLoad(ctx, 'http', () => counted(ctx, 'tunnel', ctx.stack.httpTunnel, totals.tunnel));
    tunnel.push(t.result);
    peaks.push(t.rss);
    await warm(ctx, ctx.stack.httpModules);
    modules.push(await runLoad(ctx.stack.httpModules, ctx.load));
  }
  const per = (n: number) => n / ctx.settings.rounds;
  return {
    direct: medianBy(direct),
    tunnel: medianBy(tunnel),
    modules: medianBy(modules),
    serviceConnections: { direct: per(totals.direct.connections), tunnel: per(totals.tunnel.connections) },
    cpuUsPerRequest: { direct: perUnit(totals.direct, 1e6), tunnel: perUnit(totals.tunnel, 1e6) },
    rss: maxPeaks(peaks),
  };
}

/** What measured runs add up to: connections the service accepted, CPU seconds, and units of work. */
interface RunTotals {
  connections: number;
  cpu: Record<string, number>;
  /** Requests, or GiB moved. */
  units: number;
}

const newTotals = (): RunTotals => ({ connections: 0, cpu: {}, units: 0 });

function addCpu(totals: RunTotals, cpu: Record<string, number>, units: number): void {
  for (const [k, v] of Object.entries(cpu)) totals.cpu[k] = (totals.cpu[k] ?? 0) + v;
  totals.units += units;
}

/** CPU per unit of work, scaled (1e6: microseconds). */
function perUnit(totals: RunTotals, scale: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(totals.cpu).map(([k, v]) => [k, totals.units ? (v * scale) / totals.units : NaN]),
  );
}

function processes(stack: Stack): Record<string, number> {
  return { service: stack.services.pid, edge: stack.edge.pid, agent: stack.agent.pid };
}

export async function tcpPhase(ctx: PhaseContext): Promise<TcpPhase> {
  const runs = {
    downDirect: [] as number[],
    downTunnel: [] as number[],
    upDirect: [] as number[],
    upTunnel: [] as number[],
  };
  const totals = { direct: newTotals(), tunnel: newTotals() };
  const peaks: RssPeaks[] = [];
  for (let round = 0; round < ctx.settings.rounds; round++) {
    const d = await transfers(ctx, 'direct', ctx.stack.tcpDirectPort, totals.direct);
    runs.downDirect.push(d.down);
    runs.upDirect.push(d.up);
    const t = await underLoad(ctx, 'tcp', () => transfers(ctx, 'tunnel', ctx.stack.tcpTunnelPort, totals.tunnel));
    runs.downTunnel.push(t.result.down);
    runs.upTunnel.push(t.result.up);
    peaks.push(t.rss);
  }
  return {
    downDirect: median(runs.downDirect),
    downTunnel: median(runs.downTunnel),
    upDirect: median(runs.upDirect),
    upTunnel: median(runs.upTunnel),
    cpuMsPerGiB: { direct: perUnit(totals.direct, 1e3), tunnel: perUnit(totals.tunnel, 1e3) },
    rss: maxPeaks(peaks),
  };
}

async function warm(ctx: PhaseContext, target: HttpTarget): Promise<void> {
  if (ctx.settings.warmupSeconds > 0) await runLoad(target, { ...ctx.load, seconds: ctx.settings.warmupSeconds });
}

/** One measured run, counting CPU time and the connections the local service accepted meanwhile. */
async function counted(
  ctx: PhaseContext,
  what: 'direct' | 'tunnel',
  target: HttpTarget,
  totals: RunTotals,
): Promise<LoadResult> {
  const before = await ctx.stack.services.stats();
  const cpu = countCpu(processes(ctx.stack));
  const result = await runLoad(target, ctx.load);
  addCpu(totals, cpu(), result.requests);
  const after = await ctx.stack.services.stats();
  const opened = (after.httpConnections ?? 0) - (before.httpConnections ?? 0);
  totals.connections += opened;
  ctx.log(
    `HTTP ${what}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.errors} errors, ${result.non2xx} non-2xx; the service accepted ${opened} connections`,
  );
  return result;
}

async function transfers(
  ctx: PhaseContext,
  what: string,
  port: number,
  totals: RunTotals,
): Promise<{ down: number; up: number }> {
  const warmBytes = Math.min(32 * MiB, Math.ceil(ctx.settings.bytes / 8));
  await download(port, warmBytes, transferTimeoutMs(warmBytes));
  await upload(port, warmBytes, transferTimeoutMs(warmBytes));
  const cpu = countCpu(processes(ctx.stack));
  const down = await download(port, ctx.settings.bytes, transferTimeoutMs(ctx.settings.bytes));
  const up = await upload(port, ctx.settings.bytes, transferTimeoutMs(ctx.settings.bytes));
  addCpu(totals, cpu(), (2 * ctx.settings.bytes) / (1024 * MiB));
  ctx.log(`TCP ${what}: download ${down.toFixed(1)} MiB/s, upload ${up.toFixed(1)} MiB/s`);
  return { down, up };
}

/** Runs `work` while sampling edge and agent RSS, and profiling them with BENCH_PROFILE=1. */
async function underLoad<T>(
  ctx: PhaseContext,
  phase: string,
  work: () => Promise<T>,
): Promise<{ result: T; rss: RssPeaks }> {
  const { edge, agent } = ctx.stack;
  if (ctx.settings.profile) for (const c of [edge, agent]) c.profileStart();
  const stop = sampleRss({ edge: edge.pid, agent: agent.pid });
  const result = await work();
  const rss = stop();
  if (ctx.settings.profile)
    await Promise.all([edge, agent].map((c) => c.profileStop(profilePath(ctx.settings, c.name, phase))));
  return { result, rss };
}

/** Where the last round's profile of `name` during `phase` ("http", "tcp") is written. */
export function profilePath(settings: Settings, name: string, phase: string): string {
  return join(dirname(settings.resultsPath), `${name}-${phase}.cpuprofile`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The run with the median requests/s (its p99 goes with it). */
function medianBy(results: LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.rps - b.rps)[Math.floor((results.length - 1) / 2)]!;
}

function maxPeaks(all: RssPeaks[]): RssPeaks {
  const peak: Record<string, number> = {};
  for (const p of all) for (const [k, v] of Object.entries(p.peak)) peak[k] = Math.max(peak[k] ?? 0, v);
  return { peak, peakSum: Math.max(0, ...all.map((p) => p.peakSum)) };
}
