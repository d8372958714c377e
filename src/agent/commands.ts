/**
 * Streams the edge opens: proxy connections, heartbeats and the Restart / Stop / Update /
 * StopTunnel commands (docs/protocol.md §6.6). Unknown types are logged and reset.
 */
import type { Logger } from '../log/logger.ts';
import { field, StreamType } from '../protocol/messages.ts';
import type { StopTunnelCommand } from '../protocol/messages.ts';
import { echoHeartbeats } from '../protocol/heartbeat.ts';
import { readJson, writeJsonAndEnd } from '../protocol/rpc.ts';
import type { MuxStream } from '../protocol/stream.ts';

export interface CommandHandlers {
  logger: Logger;
  proxy(stream: MuxStream): void;
  /** Called after `{}` was written back. */
  stop(): void;
  /** Called after `{}` was written back. */
  restart(): void;
  stopTunnel(command: StopTunnelCommand): void;
}

/** Sent back for Update: the agent reports it does not update itself. */
export const updateUnsupported = 'update is not supported by the portico agent';

/** Command bodies are tiny; anything larger is a broken peer. */
const commandLimits = { maxBytes: 64 * 1024, timeoutMs: 10_000 };

export function handleEdgeStream(stream: MuxStream, h: CommandHandlers): void {
  switch (stream.type) {
    case StreamType.Proxy:
      return h.proxy(stream);
    case StreamType.Heartbeat:
      return void echoHeartbeats(stream);
    case StreamType.Stop:
      return void answer(stream, {}, h).then((ok) => ok && h.stop());
    case StreamType.Restart:
      return void answer(stream, {}, h).then((ok) => ok && h.restart());
    case StreamType.Update:
      return void answer(stream, { Error: updateUnsupported }, h);
    case StreamType.StopTunnel:
      return void readStopTunnel(stream, h);
    default:
      h.logger.warn('unknown stream type from the edge', { type: stream.type });
      stream.reset();
  }
}

/** Reads the command body, writes `reply` and FINs; false when the body could not be read. */
async function answer(stream: MuxStream, reply: Record<string, string>, h: CommandHandlers): Promise<boolean> {
  try {
    await readJson(stream, commandLimits);
    writeJsonAndEnd(stream, reply);
    // Stop and Restart tear the session down, which would drop a reply still in flight.
    await flushed(stream, 1_000);
    return true;
  } catch (err) {
    h.logger.warn('bad command from the edge', { type: stream.type, err });
    stream.reset();
    return false;
  }
}

async function readStopTunnel(stream: MuxStream, h: CommandHandlers): Promise<void> {
  let body: unknown;
  try {
    body = await readJson(stream, commandLimits);
  } catch (err) {
    h.logger.warn('bad StopTunnel from the edge', { err });
    stream.reset();
    return;
  }
  // StopTunnel has no reply; we only half-close our side.
  stream.end();
  const text = (key: string) => {
    const v = field(body, key);
    return typeof v === 'string' ? v : '';
  };
  h.stopTunnel({ Id: text('Id'), Message: text('Message'), ErrorCode: text('ErrorCode') });
}

/** Resolves once `stream` has handed all its writes to the session, or after `ms` milliseconds. */
function flushed(stream: MuxStream, ms: number): Promise<void> {
  if (stream.writableFinished) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stream.off('finish', done).off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stream.once('finish', done).once('close', done);
  });
}
