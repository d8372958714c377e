import type { FastifyInstance } from 'fastify';
import type { TunnelSession } from '../../edge/tunnels/tunnel.ts';
import { StreamType } from '../../protocol/messages.ts';
import { readJson } from '../../protocol/rpc.ts';
import type { MuxSession } from '../../protocol/session.ts';
import { rfc3339 } from '../../store/timestamps.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { listBody, pageOf } from '../paging.ts';
import { apiOrigin, ref } from '../uri.ts';
import { livePage } from './tunnels.ts';

const path = '/tunnel_sessions';

/** Milliseconds an agent has to answer a command. */
export const commandTimeoutMs = 10_000;

/** The commands the API sends to agents, with their stream type and request body. */
const commands = {
  restart: { type: StreamType.Restart, body: {} },
  stop: { type: StreamType.Stop, body: {} },
  update: { type: StreamType.Update, body: { Version: '', PermitMajorVersion: false } },
} as const;

/** The IP of "ip:port" / "[v6]:port" / "::ffff:1.2.3.4:port". */
function ipOf(clientAddr: string): string {
  const host = clientAddr.slice(0, Math.max(clientAddr.lastIndexOf(':'), 0)).replace(/^\[|\]$/g, '');
  return host.replace(/^::ffff:/, '');
}

function readSession(ctx: ApiContext, s: TunnelSession): Record<string, unknown> {
  return {
    id: s.id,
    uri: `${apiOrigin(ctx.req)}${path}/${s.id}`,
    agent_version: s.agentVersion,
    credential: ref(ctx.req, '/credentials', s.credentialId),
    ip: ipOf(s.clientAddr),
    ...(s.metadata && { metadata: s.metadata }),
    os: s.os,
    region: ctx.deps.region,
    started_at: rfc3339(s.startedAt),
    transport: 'ngrok_agent',
  };
}

/**
 * One command RPC. Unlike rpcCall, the reply is taken as soon as it is complete JSON rather
 * than at FIN: an agent obeying stop/restart closes its session right after answering, and
 * that close may overtake the FIN.
 */
async function callAgent(mux: MuxSession, type: number, body: object): Promise<unknown> {
  const stream = mux.openStream(type);
  try {
    stream.write(JSON.stringify(body));
    const reply = await readJson(stream, { timeoutMs: commandTimeoutMs });
    stream.end();
    return reply;
  } catch (err) {
    stream.reset();
    throw err;
  }
}

/** Sends one command; resolves when the agent answered without `Error`, else 400 ERR_AGENT_COMMAND_FAILED. */
async function sendCommand(session: TunnelSession, name: keyof typeof commands): Promise<void> {
  const { type, body } = commands[name];
  let reply: unknown;
  try {
    reply = await callAgent(session.mux, type, body);
  } catch (err) {
    throw new ApiError(400, 'ERR_AGENT_COMMAND_FAILED', `The agent did not answer the ${name} command: ${(err as Error).message}`);
  }
  const error = reply && typeof reply === 'object' ? (reply as { Error?: unknown }).Error : undefined;
  if (typeof error === 'string' && error !== '') throw new ApiError(400, 'ERR_AGENT_COMMAND_FAILED', `The agent refused the ${name} command: ${error}`);
}

/** Tunnel sessions: read-only, this account's connected agents; restart/stop/update commands. */
export function registerTunnelSessions(app: FastifyInstance, deps: ApiDeps): void {
  const find = (ctx: ApiContext, params: unknown): TunnelSession => {
    const session = deps.registry.sessions.get((params as { id: string }).id);
    if (!session || session.accountId !== ctx.account.id) throw notFound();
    return session;
  };

  app.get(path, async (req) => {
    const ctx = contextOf(req, deps);
    const page = pageOf(req);
    const mine = [...deps.registry.sessions.values()].filter((s) => s.accountId === ctx.account.id);
    return listBody(req, 'tunnel_sessions', page, livePage(mine, page).map((s) => ({ ...readSession(ctx, s), id: s.id })));
  });

  app.get(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    return readSession(ctx, find(ctx, req.params));
  });

  for (const name of Object.keys(commands) as Array<keyof typeof commands>) {
    // The TS client sends a bare id (not JSON) as the body of restart and stop.
    app.post(`${path}/:id/${name}`, { config: { ignoresBody: true } }, async (req) => {
      const ctx = contextOf(req, deps);
      await sendCommand(find(ctx, req.params), name);
      // 200 with {} rather than 204: @ngrok/ngrok-api 0.11.0 parses every response body as JSON.
      return {};
    });
  }
}
