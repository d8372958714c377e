import type { WebSocketServer } from 'ws';
import type { WebsocketTcpConverterPlan } from '../../../config/modules/plans.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { onFirstUse } from '../../../packages/on-first-use.ts';
import { splice } from '../../../splice/splice.ts';
import type { ResponseHead } from '../../pipeline/exchange.ts';
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
      // The 101 is the edge's own answer: the modules' response shapers (response_headers) apply
      // to it. ws announces its headers, then writes them, within handleUpgrade.
      const shape = (lines: string[], req: unknown) => {
        if (req === ex.req) shapeHandshake(lines, connection.shapeAnswer);
      };
      server.on('headers', shape);
      try {
        server.handleUpgrade(ex.req, connection.socket, connection.head, (client) => {
          splice(ws.createWebSocketStream(client), upstream);
        });
      } finally {
        server.off('headers', shape);
      }
    },
  };
}

/** Runs `shapeAnswer` on ws's handshake lines (`HTTP/1.1 101 …`, then `Name: value`), in place. */
function shapeHandshake(lines: string[], shapeAnswer: (head: ResponseHead) => void): void {
  const head: ResponseHead = { status: 101, headers: [] };
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    head.headers.push(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  shapeAnswer(head);
  const shaped = [lines[0]!];
  for (let i = 0; i < head.headers.length; i += 2) shaped.push(`${head.headers[i]}: ${head.headers[i + 1]}`);
  lines.splice(0, lines.length, ...shaped);
}
