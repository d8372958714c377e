/**
 * Bulk transfers, `rounds` times: one download and one upload of BENCH_BYTES direct, then the
 * same through the tunnel, then through the floor (bench/floor-mux.ts), each pair after a warm-up
 * pair of an eighth (at most 32 MiB). Run for TCP (a tcp endpoint, bench/tcp-bulk.ts) and for
 * HTTP (an https endpoint, bench/http-bulk.ts).
 */
import { countCpu, type RssPeaks } from './proc.ts';
import {
  addCpu,
  floorUnderLoad,
  maxPeaks,
  median,
  newTotals,
  perUnit,
  processes,
  transferTimeoutMs,
  underLoad,
  warmBytes,
  type PhaseContext,
  type RunTotals,
} from './phases.ts';
import { MiB } from './settings.ts';

/** One way to reach the service: a download and an upload of `bytes`, each resolving with MiB/s. */
export interface BulkRoute {
  down(bytes: number, timeoutMs: number): Promise<number>;
  up(bytes: number, timeoutMs: number): Promise<number>;
}

export interface BulkPhase {
  /** MiB/s. */
  downDirect: number;
  downTunnel: number;
  upDirect: number;
  upTunnel: number;
  downFloor: number;
  upFloor: number;
  /** CPU milliseconds per GiB moved (download and upload together), by process. */
  cpuMsPerGiB: { direct: Record<string, number>; tunnel: Record<string, number>; floor: Record<string, number> };
  rss: RssPeaks;
  /** The floor's entry and exit during its transfers. */
  floorRss: RssPeaks;
}

/** `name` is "TCP" or "HTTP" (progress lines; "tcp" / "http-bulk" for profile file names). */
export async function bulkPhase(
  ctx: PhaseContext,
  name: string,
  direct: BulkRoute,
  tunnel: BulkRoute,
  floor: BulkRoute,
): Promise<BulkPhase> {
  const runs = {
    downDirect: [] as number[],
    downTunnel: [] as number[],
    downFloor: [] as number[],
    upDirect: [] as number[],
    upTunnel: [] as number[],
    upFloor: [] as number[],
  };
  const totals = { direct: newTotals(), tunnel: newTotals(), floor: newTotals() };
  const peaks: RssPeaks[] = [];
  const floorPeaks: RssPeaks[] = [];
  const profileName = name === 'TCP' ? 'tcp' : 'http-bulk';
  for (let round = 0; round < ctx.settings.rounds; round++) {
    const d = await transfers(ctx, `${name} direct`, direct, totals.direct);
    runs.downDirect.push(d.down);
    runs.upDirect.push(d.up);
    const t = await underLoad(ctx, profileName, () => transfers(ctx, `${name} tunnel`, tunnel, totals.tunnel));
    runs.downTunnel.push(t.result.down);
    runs.upTunnel.push(t.result.up);
    peaks.push(t.rss);
    const f = await floorUnderLoad(ctx, () => transfers(ctx, `${name} floor`, floor, totals.floor));
    runs.downFloor.push(f.result.down);
    runs.upFloor.push(f.result.up);
    floorPeaks.push(f.rss);
  }
  return {
    downDirect: median(runs.downDirect),
    downTunnel: median(runs.downTunnel),
    upDirect: median(runs.upDirect),
    upTunnel: median(runs.upTunnel),
    downFloor: median(runs.downFloor),
    upFloor: median(runs.upFloor),
    cpuMsPerGiB: {
      direct: perUnit(totals.direct, 1e3),
      tunnel: perUnit(totals.tunnel, 1e3),
      floor: perUnit(totals.floor, 1e3),
    },
    rss: maxPeaks(peaks),
    floorRss: maxPeaks(floorPeaks),
  };
}

async function transfers(
  ctx: PhaseContext,
  what: string,
  route: BulkRoute,
  totals: RunTotals,
): Promise<{ down: number; up: number }> {
  const { bytes } = ctx.settings;
  const warm = warmBytes(bytes);
  await route.down(warm, transferTimeoutMs(warm));
  await route.up(warm, transferTimeoutMs(warm));
  const cpu = countCpu(processes(ctx));
  const down = await route.down(bytes, transferTimeoutMs(bytes));
  const up = await route.up(bytes, transferTimeoutMs(bytes));
  addCpu(totals, cpu(), (2 * bytes) / (1024 * MiB));
  ctx.log(`${what}: download ${down.toFixed(1)} MiB/s, upload ${up.toFixed(1)} MiB/s`);
  return { down, up };
}
