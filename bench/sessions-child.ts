/**
 * Bench child for the scale phase: `sessions` agent sessions (src/agent/session.ts, as the CLI
 * uses), each binding `tunnelsPerSession` http endpoints to the local HTTP service, then idle
 * (heartbeats only) or serving what the edge sends them (a pooled endpoint for WebSockets). argv[2] is a SessionsChildConfig as JSON. Sessions connect a few at a time:
 * the edge admits at most 32 unauthenticated connections per source address
 * (src/edge/listeners/agent-ingress.ts).
 */
import { readFile } from 'node:fs/promises';
import { listenSpecFor, type ForwardOptions } from '../src/agent/forward.ts';
import { AgentSession } from '../src/agent/session.ts';
import { runChild } from './child-side.ts';

export interface SessionsChildConfig {
  serverAddr: string;
  authtoken: string;
  caPath: string;
  httpPort: number;
  sessions: number;
  tunnelsPerSession: number;
  /** What each tunnel binds besides the service's address (default: an https endpoint with a generated name). */
  endpoint?: Pick<ForwardOptions, 'scheme' | 'subdomain' | 'poolingEnabled'>;
}

/** Sessions connecting at once, below the edge's 32 unauthenticated connections per source. */
const concurrency = 16;

export interface SessionsReady {
  sessions: number;
  tunnels: number;
  /** The first tunnel's public URL. */
  url: string;
}

runChild<SessionsReady>(async () => {
  const config = JSON.parse(process.argv[2] ?? '{}') as SessionsChildConfig;
  const ca = await readFile(config.caPath, 'utf8');
  const spec = listenSpecFor({ ...config.endpoint, addr: `127.0.0.1:${config.httpPort}` });
  const sessions: AgentSession[] = [];
  let next = 0;
  const open = async () => {
    while (next < config.sessions) {
      next++;
      const session = new AgentSession({ serverAddr: config.serverAddr, authtoken: config.authtoken, ca });
      sessions.push(session);
      await session.connect();
      for (let t = 0; t < config.tunnelsPerSession; t++) await session.listen(spec);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, config.sessions) }, open));
  } catch (err) {
    await Promise.all(sessions.map((s) => s.close()));
    throw err;
  }
  return {
    ready: {
      sessions: sessions.length,
      tunnels: sessions.reduce((n, s) => n + s.tunnels.length, 0),
      url: sessions[0]?.tunnels[0]?.url ?? '',
    },
    close: async () => {
      await Promise.all(sessions.map((s) => s.close()));
    },
  };
});
