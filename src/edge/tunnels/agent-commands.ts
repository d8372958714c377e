import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { StreamType } from '../../protocol/messages.ts';
import { readJson } from '../../protocol/rpc.ts';
import type { MuxSession } from '../../protocol/session.ts';
import type { TunnelSession } from './tunnel.ts';

/** Milliseconds an agent has to answer a command. */
export const commandTimeoutMs = 10_000;

/** The commands the edge sends to agents, with their stream type and request body. */
const commands = {
  restart: { type: StreamType.Restart, body: {} },
  stop: { type: StreamType.Stop, body: {} },
  update: { type: StreamType.Update, body: { Version: '', PermitMajorVersion: false } },
} as const;

export type AgentCommandName = keyof typeof commands;

/** Sends command `name` to the agent of `session` (`sessionId`), refused when it is not connected. */
export async function commandSession(
  session: TunnelSession | undefined,
  sessionId: string,
  name: AgentCommandName,
): Promise<void> {
  if (!session) throw new PorticoError(ErrorCode.ERR_AGENT_COMMAND_FAILED, `session ${sessionId} is not connected`);
  return sendAgentCommand(session.mux, name);
}

/**
 * Sends one command on `mux`; resolves when the agent answered without `Error`, else rejects
 * with ERR_AGENT_COMMAND_FAILED (ERR_AGENT_UPDATE_REFUSED when an agent will not update).
 */
export async function sendAgentCommand(mux: MuxSession, name: AgentCommandName): Promise<void> {
  const { type, body } = commands[name];
  let reply: unknown;
  try {
    reply = await callAgent(mux, type, body);
  } catch (err) {
    throw new PorticoError(
      ErrorCode.ERR_AGENT_COMMAND_FAILED,
      `the agent did not answer the ${name} command: ${(err as Error).message}`,
    );
  }
  const error = reply && typeof reply === 'object' ? (reply as { Error?: unknown }).Error : undefined;
  if (typeof error === 'string' && error !== '') {
    // ngrok's own number for an agent that will not update itself, so clients can match it.
    const code = name === 'update' ? ErrorCode.ERR_AGENT_UPDATE_REFUSED : ErrorCode.ERR_AGENT_COMMAND_FAILED;
    throw new PorticoError(code, `the agent refused the ${name} command: ${error}`);
  }
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
