/**
 * Turns measurements into the table the targets are checked against (bench/table.ts prints it).
 * The targets are those of bench/README.md ("Targets"); keep the two in step.
 */
import type { BulkPhase } from './bulk-phase.ts';
import type { CliPhase } from './cli-phase.ts';
import type { EventsPhase } from './events-phase.ts';
import type { HttpPhase } from './http-phase.ts';
import type { LoadResult } from './load.ts';
import type { RssPeaks } from './proc.ts';
import type { RestartPhase } from './restart-phase.ts';
import type { ScalePhase } from './scale-phase.ts';
import { beside, compare, only, type Row } from './table.ts';

export interface Measurements {
  http: HttpPhase & { events: EventsPhase };
  /** HTTP bulk through the https endpoint; TCP bulk through the tcp endpoint. */
  httpBulk: BulkPhase;
  tcp: BulkPhase;
  /** Edge and agent of the traffic stack: idle after start-up, MiB. */
  stackIdle: Record<string, number>;
  /** The floor's entry + exit RSS, 1 s after they started, MiB. */
  floorIdle: number;
  /** Edge, agent and the floor's entry + exit, idle 1 s after the last bulk transfer, MiB. */
  afterBulk: { edge: number; agent: number; floor: number };
  cli: CliPhase;
  restart: RestartPhase;
  scale: ScalePhase | null;
}

export function buildRows(m: Measurements): Row[] {
  return [
    ...httpRows(m.http),
    ...bulkRows('HTTP', m.httpBulk),
    ...bulkRows('TCP', m.tcp),
    ...floorRows(m),
    ...cpuRows('HTTP CPU us/request (HTTPS port)', m.http.cpuUsPerRequest.direct, m.http.cpuUsPerRequest.tunnel),
    ...cpuRows('HTTP bulk CPU ms/GiB', m.httpBulk.cpuMsPerGiB.direct, m.httpBulk.cpuMsPerGiB.tunnel),
    ...cpuRows('TCP bulk CPU ms/GiB', m.tcp.cpuMsPerGiB.direct, m.tcp.cpuMsPerGiB.tunnel),
    ...floorCpuRows(m),
    ...cliRows(m.cli, m.restart),
    ...loadRssRows(m),
    ...(m.scale ? scaleRows(m.scale) : []),
  ];
}

function httpRows(h: Measurements['http']): Row[] {
  const errors = (r: LoadResult) => r.errors + r.non2xx;
  const tunnelErrors = errors(h.plain) + errors(h.tunnel) + errors(h.modules) + errors(h.events.withDead);
  return [
    compare('HTTP req/s, HTTP port', h.direct.rps, h.plain.rps, '>= 0.25x', (r) => r >= 0.25),
    compare('HTTP p99 ms, HTTP port', h.direct.p99Ms, h.plain.p99Ms, '<= 3x', (r) => r <= 3),
    compare('HTTP req/s, HTTPS port', h.direct.rps, h.tunnel.rps, '>= 0.20x', (r) => r >= 0.2),
    compare('HTTP p99 ms, HTTPS port', h.direct.p99Ms, h.tunnel.p99Ms, '<= 3x', (r) => r <= 3),
    compare('HTTP p50 ms, HTTP port', h.direct.p50Ms, h.plain.p50Ms, '', null),
    compare('HTTP p50 ms, HTTPS port', h.direct.p50Ms, h.tunnel.p50Ms, '', null),
    // Here "direct" is the tunnel without modules: the ratio is what the module pipeline costs.
    compare('HTTP req/s with modules (vs without)', h.tunnel.rps, h.modules.rps, '>= 0.90x', (r) => r >= 0.9),
    compare('HTTP p99 ms with modules (vs without)', h.tunnel.p99Ms, h.modules.p99Ms, '', null),
    // "direct" is the tunnel with no event subscription: the ratio is what a dead destination costs.
    compare(
      'HTTP req/s, dead event destination (vs none)',
      h.events.without.rps,
      h.events.withDead.rps,
      '>= 0.85x',
      (r) => r >= 0.85,
    ),
    {
      ...compare(
        'HTTP service connections opened (HTTPS port)',
        h.serviceConnections.direct,
        h.serviceConnections.tunnel,
        '',
        null,
      ),
      ratio: null,
    },
    {
      metric: 'HTTP errors + non-2xx',
      direct: errors(h.direct),
      tunnel: tunnelErrors,
      ratio: null,
      target: '= 0',
      pass: tunnelErrors === 0,
    },
  ];
}

function bulkRows(name: string, b: BulkPhase): Row[] {
  return [
    compare(`${name} bulk download MiB/s`, b.downDirect, b.downTunnel, '>= 0.25x', (r) => r >= 0.25),
    compare(`${name} bulk upload MiB/s`, b.upDirect, b.upTunnel, '>= 0.40x', (r) => r >= 0.4),
  ];
}

/**
 * The floor (bench/floor-mux.ts: the same processes and TLS, nothing but bytes moved) against
 * direct, then Portico against the floor: how much of what Node allows the tunnel reaches.
 */
function floorRows(m: Measurements): Row[] {
  const { http, httpBulk: hb, tcp } = m;
  const pairs: Array<[string, number, number, number]> = [
    ['HTTP req/s, HTTP port', http.direct.rps, http.floor.rps, http.plain.rps],
    ['HTTP req/s, HTTPS port', http.direct.rps, http.floorTls.rps, http.tunnel.rps],
    ['HTTP p99 ms, HTTP port', http.direct.p99Ms, http.floor.p99Ms, http.plain.p99Ms],
    ['HTTP p99 ms, HTTPS port', http.direct.p99Ms, http.floorTls.p99Ms, http.tunnel.p99Ms],
    ['HTTP bulk download MiB/s', hb.downDirect, hb.downFloor, hb.downTunnel],
    ['HTTP bulk upload MiB/s', hb.upDirect, hb.upFloor, hb.upTunnel],
    ['TCP bulk download MiB/s', tcp.downDirect, tcp.downFloor, tcp.downTunnel],
    ['TCP bulk upload MiB/s', tcp.upDirect, tcp.upFloor, tcp.upTunnel],
  ];
  return [
    ...pairs.map(([metric, direct, floor]) => compare(`floor: ${metric}`, direct, floor, '', null)),
    // Here "direct" is the floor: the ratio is the share of the floor the tunnel reaches.
    ...pairs.map(([metric, , floor, tunnel]) => compare(`${metric} (vs floor)`, floor, tunnel, '', null)),
  ];
}

/** The floor's CPU in the edge's and the agent's places, beside theirs above. */
function floorCpuRows(m: Measurements): Row[] {
  const rows: Array<[string, Record<string, number>]> = [
    ['HTTP CPU us/request (HTTPS port)', m.http.cpuUsPerRequest.floorTls],
    ['HTTP bulk CPU ms/GiB', m.httpBulk.cpuMsPerGiB.floor],
    ['TCP bulk CPU ms/GiB', m.tcp.cpuMsPerGiB.floor],
  ];
  return rows.flatMap(([metric, cpu]) => [
    only(`floor: ${metric}, entry (edge's place)`, cpu['floor entry'] ?? NaN),
    only(`floor: ${metric}, exit (agent's place)`, cpu['floor exit'] ?? NaN),
  ]);
}

/** Where the CPU goes, per process: the service direct vs tunnel, then edge and agent. */
function cpuRows(metric: string, direct: Record<string, number>, tunnel: Record<string, number>): Row[] {
  return [
    { ...compare(`${metric}, service`, direct.service ?? NaN, tunnel.service ?? NaN, '', null), ratio: null },
    only(`${metric}, edge`, tunnel.edge ?? NaN),
    only(`${metric}, agent`, tunnel.agent ?? NaN),
  ];
}

/** The built CLI: `--help` and `--version` beside `node -e 0`, start times, idle RSS, restart after SIGKILL. */
function cliRows(c: CliPhase, r: RestartPhase): Row[] {
  const settledSum = c.settledRss.edge + c.settledRss.agent;
  return [
    beside('portico --help ms (direct: node -e 0)', c.node.ms, c.help.ms, 120, 'ms'),
    { ...compare('portico --help max RSS MiB (direct: node -e 0)', c.node.maxRssMiB, c.help.maxRssMiB, '', null) },
    compare('portico --version ms (direct: node -e 0)', c.node.ms, c.version.ms, '', null),
    only('portico edge cold start to bootstrap.json ms (new data dir)', c.coldStart.bootstrapMs),
    only('portico edge warm start to agent port accepting ms', c.warmStart.agentAcceptMs),
    only('portico edge warm start to bootstrap.json ms', c.warmStart.bootstrapMs, 500, 'ms'),
    only('portico http start to forwarding ms', c.agentStartMs),
    only('restart after SIGKILL: agent port accepting ms', r.agentAcceptMs, 2550, 'ms'),
    only('restart after SIGKILL: bootstrap.json ms', r.bootstrapMs),
    only('restart after SIGKILL: tunnel answering again ms', r.tunnelMs),
    only('RSS portico edge just started MiB', c.idleRss.edge),
    only('RSS portico http just started MiB', c.idleRss.agent),
    only('RSS portico edge + portico http just started MiB', c.idleRss.edge + c.idleRss.agent),
    only('RSS portico edge idle MiB', c.settledRss.edge, 70, 'MiB'),
    only('RSS portico http idle MiB', c.settledRss.agent),
    only('RSS portico edge + portico http idle MiB', settledSum, 110, 'MiB'),
  ];
}

/** RSS of the traffic stack's edge and agent: idle, and the peaks sampled every 100 ms under load. */
function loadRssRows(m: Measurements): Row[] {
  const rows: Row[] = [
    only('RSS traffic-stack edge idle MiB', m.stackIdle.edge ?? NaN),
    only('RSS traffic-stack agent idle MiB', m.stackIdle.agent ?? NaN),
    only('floor: RSS entry+exit idle MiB', m.floorIdle),
  ];
  const phases: Array<[string, RssPeaks, RssPeaks | undefined]> = [
    ['HTTP load', m.http.rss, m.http.floorRss],
    ['HTTP bulk', m.httpBulk.rss, m.httpBulk.floorRss],
    ['TCP bulk', m.tcp.rss, m.tcp.floorRss],
  ];
  for (const [name, p, floor] of phases) {
    rows.push(only(`RSS edge peak, ${name} MiB`, p.peak.edge ?? NaN));
    rows.push(only(`RSS agent peak, ${name} MiB`, p.peak.agent ?? NaN));
    rows.push(only(`RSS edge+agent peak, ${name} MiB`, p.peakSum, 140, 'MiB'));
    // The same processes' worth of Node.js moving the same traffic, for scale (bench/README.md).
    if (floor) rows.push(only(`floor: RSS entry+exit peak, ${name} MiB`, floor.peakSum));
  }
  rows.push(
    only('RSS traffic-stack edge idle after the bulk transfers MiB', m.afterBulk.edge),
    only('RSS traffic-stack agent idle after the bulk transfers MiB', m.afterBulk.agent),
    only('floor: RSS entry+exit idle after the bulk transfers MiB', m.afterBulk.floor),
    only(`RSS traffic-stack edge, dead destination's queue full MiB`, m.http.events.queueFullRss),
  );
  return rows;
}

function scaleRows(s: ScalePhase): Row[] {
  return [
    only(`scale: idle tunnels open (of ${s.tunnels.requested}, one session)`, s.tunnels.open),
    only('scale: edge RSS per idle tunnel KiB', s.tunnels.edgeKiB, 20, 'KiB'),
    only(`scale: edge RSS per idle tunnel, ${s.moreTunnels.open} more on a second session KiB`, s.moreTunnels.edgeKiB),
    only(`scale: idle agent sessions open (of ${s.sessions.requested})`, s.sessions.open),
    only('scale: edge RSS per idle agent session (1 tunnel) KiB', s.sessions.edgeKiB),
    only(`scale: WebSockets open (of ${s.websockets.requested})`, s.websockets.open),
    only('scale: edge RSS per open WebSocket KiB', s.websockets.edgeKiB, 64, 'KiB'),
    only('scale: agent RSS per open WebSocket KiB', s.websockets.agentKiB ?? NaN),
    only(
      'scale: edge RSS with all of them MiB',
      s.edgeRssBefore + s.tunnels.edgeGrowthMiB + s.sessions.edgeGrowthMiB + s.websockets.edgeGrowthMiB,
    ),
  ];
}
