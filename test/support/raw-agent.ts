import tls from 'node:tls';
import type { TestContext } from 'node:test';
import { echoHeartbeats } from '../../src/protocol/heartbeat.ts';
import { StreamType } from '../../src/protocol/messages.ts';
import { rpcCall } from '../../src/protocol/rpc.ts';
import { MuxSession } from '../../src/protocol/session.ts';
import { defer } from './defer.ts';
import type { TestEdge } from './edge.ts';

/**
 * An agent speaking the wire protocol by hand, for what no SDK sends: another account's tunnel
 * id, options of older agents, odd heartbeat settings. It echoes the edge's heartbeats.
 */
export interface RawAgent {
  mux: MuxSession;
  /** Heartbeat bytes the edge sent so far. */
  readonly heartbeatBytes: number;
  /** Sends Auth with `authtoken` and `extra` added to the Extra object; resolves with the reply. */
  auth(authtoken: string, extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Sends Bind; resolves with the reply (check its Error). */
  bind(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): void;
}

export async function rawAgent(t: TestContext, edge: TestEdge): Promise<RawAgent> {
  const socket = tls.connect({ host: '127.0.0.1', port: edge.ports.agent, ca: edge.caPem });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  socket.on('error', () => {});
  const mux = new MuxSession(socket, { role: 'client' });
  let heartbeatBytes = 0;
  mux.on('stream', (stream) => {
    if (stream.type !== StreamType.Heartbeat) return stream.reset();
    stream.on('data', (c: Buffer) => (heartbeatBytes += c.length));
    echoHeartbeats(stream);
  });
  defer(t, () => mux.destroy());
  return {
    mux,
    get heartbeatBytes() {
      return heartbeatBytes;
    },
    auth: async (authtoken, extra = {}) =>
      (await rpcCall(mux, StreamType.Auth, {
        Version: ['3'],
        ClientId: '',
        Extra: { Authtoken: authtoken, OS: 'test', ClientType: 'raw', ...extra },
      })) as Record<string, unknown>,
    bind: async (body) =>
      (await rpcCall(mux, StreamType.Bind, {
        Id: '',
        Proto: 'https',
        ForwardsTo: 'localhost:1',
        Opts: {},
        Extra: {},
        ...body,
      })) as Record<string, unknown>,
    close: () => mux.destroy(),
  };
}
