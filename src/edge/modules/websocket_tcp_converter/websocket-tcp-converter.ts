import type { WebSocketServer } from 'ws';
import type { WebsocketTcpConverterPlan } from '../../../config/modules/plans.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { onFirstUse } from '../../../packages/on-first-use.ts';
import { splice } from '../../../splice/splice.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';

/** The largest message a client may send; a larger one closes the WebSocket (1009). */
export const maxMessageBytes = 16 * 1024 * 1024;

// The WebSocket codec loads with the first upgrade a converter takes.
const wsPackage = onFirstUse(() => import('ws'), 'WebSocketServer');

/**
 * `websocket_tcp_converter`: the edge answers a WebSocket upgrade itself and carries the
 * messages' payloads, text and binary alike, as raw bytes on a tcp stream to the tunnel (or on
 * a connection to a static backend's address); bytes from the service come back as binary
 * messages. Framing, masking, fragments, ping/pong and close are the `ws` package's. Like
 * ngrok, anything but a WebSocket upgrade gets 400 ERR_NGROK_3206. Last in the module order:
 * it replaces the call to the backend.
 */
export function websocketTcpConverterModule(_plan: WebsocketTcpConverterPlan): HttpModule {
  // One server per route, only for its handshake and codec: it tracks no clients and listens nowhere.
  let server: WebSocketServer | undefined;
  return {
    name: 'websocket_tcp_converter',
    async handle(ex) {
      const connection = ex.upgrade;
      if (!connection || (ex.req.headers.upgrade ?? '').toLowerCase() !== 'websocket')
        return ex.refuse(ErrorCode.ERR_EDGE_WEBSOCKET_REQUIRED);
      const ws = await wsPackage();
      server ??= new ws.WebSocketServer({
        noServer: true,
        clientTracking: false,
        perMessageDeflate: false,
        // ws holds a message whole before handing it on: a bound keeps one client from filling memory.
        maxPayload: maxMessageBytes,
      });
      const upstream = await connection.openUpstream();
      if (!upstream) return;
      // If ws refuses the handshake (its own 400) the client's socket closes: the stream goes with it.
      connection.socket.once('close', () => upstream.destroy());
      // Until spliced, an upstream error (a reset address) must not go unhandled.
      upstream.on('error', () => upstream.destroy());
      server.handleUpgrade(ex.req, connection.socket, connection.head, (client) => {
        splice(ws.createWebSocketStream(client), upstream);
      });
    },
  };
}
