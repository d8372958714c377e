/**
 * What the agent's status screen shows, gathered from a running session at one moment. Kept
 * apart from the rendering so that the renderer is a pure function of this value.
 */
import type { AgentSession } from '../../agent/session.ts';
import type { ConnectionStats } from '../../agent/traffic/connection-counters.ts';
import type { HttpRequestRecord } from '../../agent/traffic/traffic.ts';
import { agentVersion } from '../../agent/version.ts';

export interface ForwardingLine {
  /** The public URL, or `labeled tunnel k=v …`. */
  from: string;
  /** Where the agent forwards to. */
  to: string;
}

export interface StatusView {
  /** `online`, `connecting`, `reconnecting (attempt 2 in 3 s: …)`, `closed`. */
  status: string;
  /** The account the edge says the authtoken belongs to; "" when unknown. */
  account: string;
  version: string;
  /** The region the edge serves; "" when unknown. */
  region: string;
  /** Last heartbeat round trip in milliseconds; undefined while not known. */
  latencyMs: number | undefined;
  /** The traffic inspector's address, shown as "Web Interface" when there is one. */
  inspectorUrl?: string;
  forwarding: ForwardingLine[];
  connections: ConnectionStats;
  /** Newest first. */
  requests: HttpRequestRecord[];
  /** Warnings worth a line of their own (a tunnel the edge stopped, a failed rebind). */
  notices: string[];
}

const noConnections: ConnectionStats = {
  total: 0,
  open: 0,
  rate1m: 0,
  rate5m: 0,
  rate15m: 0,
  p50s: 0,
  p90s: 0,
  p95s: 0,
  p99s: 0,
};

/** What the screen keeps between frames beyond the session: reconnect progress and notices. */
export interface SessionNews {
  /** The last reconnect attempt's error, until the session is online again. */
  lastError?: string;
  /** When (ms since epoch) the next reconnect attempt starts. */
  nextAttemptAt?: number;
  attempt?: number;
  notices: string[];
}

/** The view of `session` now; `requests` caps the recent requests read. */
export function statusView(session: AgentSession, news: SessionNews, requests: number, now = Date.now()): StatusView {
  const traffic = session.traffic;
  const view: StatusView = {
    status: statusText(session.state, news, now),
    account: session.auth?.accountName ?? '',
    version: agentVersion,
    region: session.auth?.region ?? '',
    latencyMs: session.state === 'connected' ? session.latencyMs : undefined,
    forwarding: session.tunnels.map((l) => ({
      from: l.url || `labeled tunnel ${labelText(l.labels)}`,
      to: l.forwardsTo,
    })),
    connections: traffic?.stats() ?? noConnections,
    requests: traffic?.recent(requests) ?? [],
    notices: news.notices,
  };
  return view;
}

function statusText(state: AgentSession['state'], news: SessionNews, now: number): string {
  if (state === 'connected') return 'online';
  if (state !== 'reconnecting') return state;
  const parts: string[] = [];
  if (news.attempt !== undefined) {
    const wait = news.nextAttemptAt === undefined ? 0 : Math.max(0, Math.ceil((news.nextAttemptAt - now) / 1000));
    parts.push(wait > 0 ? `attempt ${news.attempt + 1} in ${wait} s` : `attempt ${news.attempt + 1}`);
  }
  if (news.lastError) parts.push(news.lastError);
  return parts.length > 0 ? `reconnecting (${parts.join(': ')})` : 'reconnecting';
}

function labelText(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
