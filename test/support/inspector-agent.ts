/**
 * Our CLI agent (`portico http …`) with its inspector on a free loopback port, JSON logs on
 * stdout, against a test edge: where the web service started and the tunnel's public URL.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { jsonLine, spawnPortico } from './cli.ts';
import type { TestEdge } from './edge.ts';

export interface InspectedAgent {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` where the inspector answers. */
  web: string;
  /** The `addr` field of the "starting web service" log line. */
  webAddr: string;
  /** The first tunnel's public URL. */
  url: string;
}

/** Spawns `portico <args> --inspect-addr <inspectAddr> --log stdout --log-format json`. */
export async function startInspectedAgent(
  t: TestContext,
  edge: TestEdge,
  args: string[],
  inspectAddr: string,
): Promise<InspectedAgent> {
  const env = { PORTICO_DATA_DIR: edge.dataDir, XDG_CONFIG_HOME: join(edge.dataDir, 'config') };
  const child = spawnPortico(
    t,
    [...args, '--inspect-addr', inspectAddr, '--log', 'stdout', '--log-format', 'json'],
    env,
  );
  const [web, started] = await Promise.all([
    jsonLine(child, (l) => l.msg === 'starting web service'),
    jsonLine(child, (l) => l.msg === 'started tunnel'),
  ]);
  const webAddr = String(web.addr);
  return { child, web: `http://${webAddr}`, webAddr, url: String(started.url) };
}

/** JSON from the agent API: status and parsed body (undefined for 204). */
export async function api<T = Record<string, unknown>>(
  base: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    ...(init.body !== undefined
      ? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
}
