/**
 * HTTP load, `rounds` times: direct, then through the tunnel on the edge's plain-HTTP port and
 * through the floor the same way, on its HTTPS port and through the floor's TLS listener, and on
 * the HTTPS port to the endpoint with modules. Edge and agent RSS is sampled during the two
 * tunnel runs without modules.
 */
import { runLoad, type HttpTarget, type LoadResult } from './load.ts';
import { countCpu, type RssPeaks } from './proc.ts';
import {
  addCpu,
  floorUnderLoad,
  maxPeaks,
  medianBy,
  newTotals,
  perUnit,
  processes,
  underLoad,
  type PhaseContext,
  type RunTotals,
} from './phases.ts';

type Run = 'direct' | 'plain' | 'tunnel' | 'floor' | 'floorTls';

export interface HttpPhase {
  direct: LoadResult;
  /** Through the tunnel, plain HTTP to the edge's HTTP port. */
  plain: LoadResult;
  /** Through the tunnel, TLS terminated at the edge's HTTPS port. */
  tunnel: LoadResult;
  /** Through the tunnel to the endpoint with modules (HTTPS port). */
  modules: LoadResult;
  /** Through the floor (bench/floor-mux.ts): plain HTTP into its entry, and TLS terminated there. */
  floor: LoadResult;
  floorTls: LoadResult;
  /** TCP connections the local service accepted per measured run (wrk opens `connections`). */
  serviceConnections: Record<Run, number>;
  /** CPU microseconds per request, by process (service, edge, agent, floor entry and exit). */
  cpuUsPerRequest: Record<Run, Record<string, number>>;
  rss: RssPeaks;
  /** The floor's entry and exit under the same loads. */
  floorRss: RssPeaks;
}

export async function httpPhase(ctx: PhaseContext): Promise<HttpPhase> {
  const { stack } = ctx;
  const results: Record<Run | 'modules', LoadResult[]> = {
    direct: [],
    plain: [],
    tunnel: [],
    modules: [],
    floor: [],
    floorTls: [],
  };
  const runs = ['direct', 'plain', 'tunnel', 'floor', 'floorTls'] as const;
  const totals = Object.fromEntries(runs.map((r) => [r, newTotals()])) as Record<Run, RunTotals>;
  const peaks: RssPeaks[] = [];
  const tunnelRun = async (run: Run, target: HttpTarget) => {
    await warm(ctx, target);
    const t = await underLoad(ctx, 'http', () => counted(ctx, run, target, totals[run]));
    results[run].push(t.result);
    peaks.push(t.rss);
  };
  const floorPeaks: RssPeaks[] = [];
  const floorRun = async (run: Run, target: HttpTarget) => {
    await warm(ctx, target);
    const f = await floorUnderLoad(ctx, () => counted(ctx, run, target, totals[run]));
    results[run].push(f.result);
    floorPeaks.push(f.rss);
  };
  for (let round = 0; round < ctx.settings.rounds; round++) {
    await warm(ctx, stack.httpDirect);
    results.direct.push(await counted(ctx, 'direct', stack.httpDirect, totals.direct));
    await tunnelRun('plain', stack.httpPlain);
    await floorRun('floor', ctx.floor.http);
    await tunnelRun('tunnel', stack.httpTunnel);
    await floorRun('floorTls', ctx.floor.https);
    await warm(ctx, stack.httpModules);
    results.modules.push(await runLoad(stack.httpModules, ctx.load));
  }
  const per = (n: number) => n / ctx.settings.rounds;
  return {
    direct: medianBy(results.direct),
    plain: medianBy(results.plain),
    tunnel: medianBy(results.tunnel),
    modules: medianBy(results.modules),
    floor: medianBy(results.floor),
    floorTls: medianBy(results.floorTls),
    serviceConnections: Object.fromEntries(runs.map((r) => [r, per(totals[r].connections)])) as Record<Run, number>,
    cpuUsPerRequest: Object.fromEntries(runs.map((r) => [r, perUnit(totals[r], 1e6)])) as HttpPhase['cpuUsPerRequest'],
    rss: maxPeaks(peaks),
    floorRss: maxPeaks(floorPeaks),
  };
}

async function warm(ctx: PhaseContext, target: HttpTarget): Promise<void> {
  if (ctx.settings.warmupSeconds > 0) await runLoad(target, { ...ctx.load, seconds: ctx.settings.warmupSeconds });
}

const labels: Record<Run, string> = {
  direct: 'direct',
  plain: 'tunnel, HTTP port',
  tunnel: 'tunnel, HTTPS port',
  floor: 'floor, plain',
  floorTls: 'floor, TLS',
};

/** One measured run, counting CPU time and the connections the local service accepted meanwhile. */
async function counted(ctx: PhaseContext, run: Run, target: HttpTarget, totals: RunTotals): Promise<LoadResult> {
  const before = await ctx.stack.services.stats();
  const cpu = countCpu(processes(ctx));
  const result = await runLoad(target, ctx.load);
  addCpu(totals, cpu(), result.requests);
  const after = await ctx.stack.services.stats();
  const opened = (after.httpConnections ?? 0) - (before.httpConnections ?? 0);
  totals.connections += opened;
  ctx.log(
    `HTTP ${labels[run]}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.errors} errors, ${result.non2xx} non-2xx; the service accepted ${opened} connections`,
  );
  return result;
}
