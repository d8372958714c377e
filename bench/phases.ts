/**
 * What the measured phases share: their context, RSS sampling (and, with BENCH_PROFILE=1,
 * profiling) of edge and agent while tunnel traffic runs, CPU accounting, and medians over rounds.
 */
import { dirname, join } from 'node:path';
import type { Floor } from './floor.ts';
import type { LoadOptions, LoadResult } from './load.ts';
import { sampleRss, type RssPeaks } from './proc.ts';
import type { Stack } from './stack.ts';
import { MiB, type Settings } from './settings.ts';

export interface PhaseContext {
  stack: Stack;
  /** The floor the tunnel is compared with (bench/floor-mux.ts). */
  floor: Floor;
  settings: Settings;
  load: LoadOptions;
  log(text: string): void;
}

/** Milliseconds one transfer of `bytes` may take: 10 s plus 10 MiB/s, far below any real rate. */
export function transferTimeoutMs(bytes: number): number {
  return 10_000 + (bytes / (10 * MiB)) * 1000;
}

/** Bytes of the warm-up transfer before each measured pair: an eighth, at most 32 MiB. */
export function warmBytes(bytes: number): number {
  return Math.min(32 * MiB, Math.ceil(bytes / 8));
}

/** What measured runs add up to: connections the service accepted, CPU seconds, and units of work. */
export interface RunTotals {
  connections: number;
  cpu: Record<string, number>;
  /** Requests, or GiB moved. */
  units: number;
}

export const newTotals = (): RunTotals => ({ connections: 0, cpu: {}, units: 0 });

export function addCpu(totals: RunTotals, cpu: Record<string, number>, units: number): void {
  for (const [k, v] of Object.entries(cpu)) totals.cpu[k] = (totals.cpu[k] ?? 0) + v;
  totals.units += units;
}

/** CPU per unit of work, scaled (1e6: microseconds). */
export function perUnit(totals: RunTotals, scale: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(totals.cpu).map(([k, v]) => [k, totals.units ? (v * scale) / totals.units : NaN]),
  );
}

/** The processes whose CPU is counted: the service, and the edge and agent or the floor's entry and exit in their place. */
export function processes(ctx: PhaseContext): Record<string, number> {
  const { stack, floor } = ctx;
  return {
    service: stack.services.pid,
    edge: stack.edge.pid,
    agent: stack.agent.pid,
    'floor entry': floor.entry.pid,
    'floor exit': floor.exit.pid,
  };
}

/** Runs `work` while sampling edge and agent RSS every 100 ms, and profiling them with BENCH_PROFILE=1. */
export async function underLoad<T>(
  ctx: PhaseContext,
  phase: string,
  work: () => Promise<T>,
): Promise<{ result: T; rss: RssPeaks }> {
  const { edge, agent } = ctx.stack;
  if (ctx.settings.profile) for (const c of [edge, agent]) c.profileStart();
  const sampled = await withRss({ edge: edge.pid, agent: agent.pid }, work);
  if (ctx.settings.profile)
    await Promise.all([edge, agent].map((c) => c.profileStop(profilePath(ctx.settings, c.name, phase))));
  return sampled;
}

/** Runs `work` while sampling the floor's entry and exit RSS (no profiling). */
export function floorUnderLoad<T>(ctx: PhaseContext, work: () => Promise<T>): Promise<{ result: T; rss: RssPeaks }> {
  return withRss({ entry: ctx.floor.entry.pid, exit: ctx.floor.exit.pid }, work);
}

/** Runs `work` while sampling the RSS of `pids` every 100 ms. */
async function withRss<T>(pids: Record<string, number>, work: () => Promise<T>): Promise<{ result: T; rss: RssPeaks }> {
  const stop = sampleRss(pids, 100);
  const result = await work();
  return { result, rss: stop() };
}

/** Where the last round's profile of `name` during `phase` ("http", "tcp", "bulk") is written. */
export function profilePath(settings: Settings, name: string, phase: string): string {
  return join(dirname(settings.resultsPath), `${name}-${phase}.cpuprofile`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The run with the median requests/s (its p99 goes with it). */
export function medianBy(results: LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.rps - b.rps)[Math.floor((results.length - 1) / 2)]!;
}

export function maxPeaks(all: RssPeaks[]): RssPeaks {
  const peak: Record<string, number> = {};
  for (const p of all) for (const [k, v] of Object.entries(p.peak)) peak[k] = Math.max(peak[k] ?? 0, v);
  return { peak, peakSum: Math.max(0, ...all.map((p) => p.peakSum)) };
}
