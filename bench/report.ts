/**
 * Turns measurements into the table the targets are checked against, and its JSON form. The
 * targets are those of bench/README.md ("Targets"); keep the two in step.
 */
import type { LoadResult } from './load.ts';
import type { RssPeaks } from './proc.ts';

type ByProcess = { direct: Record<string, number>; tunnel: Record<string, number> };

export interface Measurements {
  http: {
    direct: LoadResult;
    tunnel: LoadResult;
    /** Through the tunnel to an endpoint with IP restriction and request and response headers. */
    modules: LoadResult;
    serviceConnections: { direct: number; tunnel: number };
    cpuUsPerRequest: ByProcess;
    /** Through the tunnel without, then with, a subscription to a dead event destination. */
    events: { without: LoadResult; withDead: LoadResult };
  };
  /** MiB/s. */
  tcp: { downDirect: number; downTunnel: number; upDirect: number; upTunnel: number; cpuMsPerGiB: ByProcess };
  rss: { idle: Record<string, number>; httpLoad: RssPeaks; tcpLoad: RssPeaks };
}

export interface Row {
  metric: string;
  direct: number | null;
  tunnel: number;
  /** tunnel / direct. */
  ratio: number | null;
  target: string;
  /** null for rows without a target. */
  pass: boolean | null;
}

export function buildRows(m: Measurements): Row[] {
  const { direct, tunnel } = m.http;
  const errors = (r: LoadResult) => r.errors + r.non2xx;
  const loadPeak = (name: string) => Math.max(m.rss.httpLoad.peak[name] ?? 0, m.rss.tcpLoad.peak[name] ?? 0);
  const peakSum = Math.max(m.rss.httpLoad.peakSum, m.rss.tcpLoad.peakSum);
  const edgeIdle = m.rss.idle.edge ?? NaN;
  return [
    // The load goes through the HTTPS port, so the HTTPS-port target applies.
    compare('HTTP req/s', direct.rps, tunnel.rps, '>= 0.20x', (r) => r >= 0.2),
    compare('HTTP p99 ms', direct.p99Ms, tunnel.p99Ms, '<= 3x', (r) => r <= 3),
    compare('HTTP p50 ms', direct.p50Ms, tunnel.p50Ms, '', null),
    // Here "direct" is the tunnel without modules: the ratio is what the module pipeline costs.
    compare('HTTP req/s with modules (vs without)', tunnel.rps, m.http.modules.rps, '>= 0.90x', (r) => r >= 0.9),
    compare('HTTP p99 ms with modules (vs without)', tunnel.p99Ms, m.http.modules.p99Ms, '', null),
    // "direct" is the tunnel with no event subscription: the ratio is what a dead destination costs.
    compare(
      'HTTP req/s, dead event destination (vs none)',
      m.http.events.without.rps,
      m.http.events.withDead.rps,
      '>= 0.85x',
      (r) => r >= 0.85,
    ),
    {
      ...compare(
        'HTTP service connections opened',
        m.http.serviceConnections.direct,
        m.http.serviceConnections.tunnel,
        '',
        null,
      ),
      ratio: null,
    },
    {
      metric: 'HTTP errors + non-2xx',
      direct: errors(direct),
      tunnel: errors(tunnel) + errors(m.http.modules) + errors(m.http.events.withDead),
      ratio: null,
      target: '= 0',
      pass: errors(tunnel) + errors(m.http.modules) + errors(m.http.events.withDead) === 0,
    },
    compare('TCP download MiB/s', m.tcp.downDirect, m.tcp.downTunnel, '>= 0.25x', (r) => r >= 0.25),
    compare('TCP upload MiB/s', m.tcp.upDirect, m.tcp.upTunnel, '>= 0.40x', (r) => r >= 0.4),
    ...cpuRows('HTTP CPU us/request', m.http.cpuUsPerRequest),
    ...cpuRows('TCP CPU ms/GiB', m.tcp.cpuMsPerGiB),
    {
      ...only('RSS edge idle MiB', edgeIdle),
      target: '<= 70 MiB',
      pass: Number.isFinite(edgeIdle) ? edgeIdle <= 70 : null,
    },
    only('RSS agent idle MiB', m.rss.idle.agent ?? NaN),
    only('RSS edge peak under load MiB', loadPeak('edge')),
    only('RSS agent peak under load MiB', loadPeak('agent')),
    { ...only('RSS edge+agent under load MiB', peakSum), target: '<= 140 MiB', pass: peakSum <= 140 },
  ];
}

/** Where the CPU goes, per process: the service direct vs tunnel, then edge and agent. */
function cpuRows(metric: string, cpu: ByProcess): Row[] {
  return [
    { ...compare(`${metric}, service`, cpu.direct.service ?? NaN, cpu.tunnel.service ?? NaN, '', null), ratio: null },
    only(`${metric}, edge`, cpu.tunnel.edge ?? NaN),
    only(`${metric}, agent`, cpu.tunnel.agent ?? NaN),
  ];
}

function compare(
  metric: string,
  direct: number,
  tunnel: number,
  target: string,
  ok: ((ratio: number) => boolean) | null,
): Row {
  const ratio = direct > 0 ? tunnel / direct : NaN;
  return { metric, direct, tunnel, ratio, target, pass: ok ? ok(ratio) : null };
}

function only(metric: string, tunnel: number): Row {
  return { metric, direct: null, tunnel, ratio: null, target: '', pass: null };
}

export function formatTable(rows: Row[]): string {
  const header = ['metric', 'direct', 'tunnel', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [
    r.metric,
    r.direct === null ? '-' : num(r.direct),
    num(r.tunnel),
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    r.target || '-',
    r.pass === null ? '-' : r.pass ? 'PASS' : r.metric.startsWith('HTTP errors') ? 'FAIL' : 'BELOW',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function num(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (Number.isInteger(v)) return v.toString();
  if (Math.abs(v) >= 1000) return Math.round(v).toString();
  if (Math.abs(v) >= 100) return v.toFixed(1);
  return v.toFixed(2);
}
