import type { FastifyInstance } from 'fastify';
import type { AgentCommand, LiveSession } from '../live-agents.ts';
import { rfc3339 } from '../../store/timestamps.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../context.ts';
import { notFound } from '../errors.ts';
import { listBody, pageOf, readPage } from '../paging.ts';
import { apiOrigin, ref } from '../uri.ts';
import { liveRecords } from './tunnels.ts';

const path = '/tunnel_sessions';

/** The commands a session answers at `/tunnel_sessions/{id}/<command>`. */
const commands: readonly AgentCommand[] = ['restart', 'stop', 'update'];

/** The IP of "ip:port" / "[v6]:port" / "::ffff:1.2.3.4:port". */
function ipOf(clientAddr: string): string {
  const host = clientAddr.slice(0, Math.max(clientAddr.lastIndexOf(':'), 0)).replace(/^\[|\]$/g, '');
  return host.replace(/^::ffff:/, '');
}

function readSession(ctx: ApiContext, s: LiveSession): Record<string, unknown> {
  return {
    id: s.id,
    uri: `${apiOrigin(ctx.req)}${path}/${s.id}`,
    agent_version: s.agentVersion,
    credential: ref(ctx.req, '/credentials', s.credentialId),
    ip: ipOf(s.clientAddr),
    metadata: s.metadata ?? '',
    os: s.os,
    region: ctx.deps.region,
    started_at: rfc3339(s.startedAt),
    transport: 'ngrok/v2',
  };
}

/** Tunnel sessions: read-only, this account's connected agents; restart/stop/update commands. */
export function registerTunnelSessions(app: FastifyInstance, deps: ApiDeps): void {
  const find = (ctx: ApiContext, params: unknown): LiveSession => {
    const session = deps.live.sessions.get((params as { id: string }).id);
    if (!session || session.accountId !== ctx.account.id) throw notFound();
    return session;
  };

  app.get(path, async (req) => {
    const ctx = contextOf(req, deps);
    const page = pageOf(req);
    const mine = [...deps.live.sessions.values()].filter((s) => s.accountId === ctx.account.id);
    return listBody(req, 'tunnel_sessions', page, await readPage(page, liveRecords(mine), (s) => readSession(ctx, s)));
  });

  app.get(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    return readSession(ctx, find(ctx, req.params));
  });

  for (const name of commands) {
    // The TS client sends a bare id (not JSON) as the body of restart and stop.
    app.post(`${path}/:id/${name}`, { config: { ignoresBody: true } }, async (req) => {
      const ctx = contextOf(req, deps);
      await deps.live.command(find(ctx, req.params).id, name);
      // 200 with {} rather than 204: @ngrok/ngrok-api 0.11.0 parses every response body as JSON.
      return {};
    });
  }
}
