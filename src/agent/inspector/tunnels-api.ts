/**
 * Tunnels in the shape of ngrok's agent API (`GET /api/tunnels`), and starting and stopping
 * them (`POST /api/tunnels`, `DELETE /api/tunnels/{name}`) on the running session.
 */
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { parseTunnelConfig } from '../config-file.ts';
import type { Listener } from '../listener.ts';
import type { AgentSession } from '../session.ts';
import type { ConnectionStats } from '../traffic/connection-counters.ts';
import type { AgentTraffic } from '../traffic/traffic.ts';
import { tunnelSpec } from '../tunnels.ts';

/** A tunnel in ngrok's agent API shape. */
export interface NgrokTunnel {
  name: string;
  uri: string;
  public_url: string;
  proto: string;
  config: { addr: string; inspect: boolean };
  metrics: {
    conns: NgrokMeter & { gauge: number };
    http: NgrokMeter;
  };
}

/** Counts, rates per second, and duration percentiles in nanoseconds (Go durations, as ngrok reports them). */
interface NgrokMeter {
  count: number;
  rate1: number;
  rate5: number;
  rate15: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** Characters of a tunnel name the API accepts. */
const maxNameChars = 128;

/** The name a listener goes by in the API, in captures and in metrics. */
export function tunnelName(l: Listener): string {
  return l.name ?? l.url;
}

export function ngrokTunnel(l: Listener, traffic: AgentTraffic): NgrokTunnel {
  const name = tunnelName(l);
  const t = traffic.tunnel(name);
  const conns = t.conns.stats();
  return {
    name,
    uri: `/api/tunnels/${encodeURIComponent(name)}`,
    public_url: l.url,
    proto: l.proto,
    config: { addr: l.forwardsTo, inspect: l.spec.inspect !== false && isHttp(l) },
    metrics: { conns: { ...meter(conns), gauge: conns.open }, http: meter(t.http.stats()) },
  };
}

function meter(s: ConnectionStats): NgrokMeter {
  const ns = (seconds: number) => Math.round(seconds * 1e9);
  return {
    count: s.total,
    rate1: s.rate1m,
    rate5: s.rate5m,
    rate15: s.rate15m,
    p50: ns(s.p50s),
    p90: ns(s.p90s),
    p95: ns(s.p95s),
    p99: ns(s.p99s),
  };
}

function isHttp(l: Listener): boolean {
  return l.proto === 'http' || l.proto === 'https' || (l.proto === 'labeled' && /^https?:/.test(l.forwardsTo));
}

export function findTunnel(session: AgentSession, name: string): Listener {
  const found = session.tunnels.find((l) => tunnelName(l) === name);
  if (!found) throw new PorticoError(ErrorCode.ERR_INSPECTOR_NOT_FOUND, `no tunnel named ${JSON.stringify(name)}`);
  return found;
}

/**
 * Starts the tunnel `body` describes: `name` plus the keys of a tunnel in the config file
 * (`addr`, `proto`, `subdomain`, `inspect`, …), as ngrok's agent takes them.
 */
export async function startTunnel(session: AgentSession, body: unknown, configDir: string): Promise<Listener> {
  const invalid = (why: string) => new PorticoError(ErrorCode.ERR_INSPECTOR_REQUEST_INVALID, why);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object');
  const { name, ...definition } = body as Record<string, unknown>;
  if (typeof name !== 'string' || !name || name.length > maxNameChars)
    throw invalid(`name: give the tunnel a name of 1 to ${maxNameChars} characters`);
  if (session.tunnels.some((l) => tunnelName(l) === name)) throw invalid(`name: a tunnel named ${name} already runs`);
  const config = parseTunnelConfig(definition, name, configDir);
  return session.listen(tunnelSpec(name, config));
}
