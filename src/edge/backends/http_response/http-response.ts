import { STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import { sendResponseHead } from '../../pipeline/respond.ts';
import { textAsHeaderValue } from '../../proxy/headers.ts';
import { asSocket } from '../../proxy/tunnel-socket.ts';
import type { Backend, ConnExchange, HttpExchange, Outcome } from '../backend.ts';
import type { Upstream } from '../upstream.ts';

/** A static answer: status, headers and body, prepared once at compile time. */
export class HttpResponseBackend implements Backend {
  readonly kind = 'http_response';
  readonly children = [];
  private readonly body: Buffer;
  private readonly rawHeaders: string[];
  /** The same answer as bytes on a connection, for upgrade requests. */
  private readonly upgradeAnswer: Buffer;

  constructor(
    readonly id: string,
    private readonly statusCode: number,
    headers: Readonly<Record<string, string>>,
    body: string,
  ) {
    // 204 and 304 carry no body, and no length (RFC 9110 §8.6): a body configured for them is not sent.
    const bodiless = statusCode === 204 || statusCode === 304;
    this.body = bodiless ? Buffer.alloc(0) : Buffer.from(body);
    // Values as header bytes: text beyond ASCII as its UTF-8 bytes, controls as spaces (the API
    // refuses only CR, LF and NUL), so writing the answer cannot fail. The length is the edge's.
    this.rawHeaders = Object.entries(headers).flatMap(([name, value]) => [name, textAsHeaderValue(value)]);
    if (!bodiless) this.rawHeaders.push('content-length', String(this.body.length));
    this.upgradeAnswer = asBytes(statusCode, this.rawHeaders, this.body);
  }

  /**
   * An upgrade request (WebSocket) gets the same answer as any other request: its one upstream
   * is an in-process connection that answers the request sent on it with this status, headers and
   * body, and closes. The upgrade path relays that answer as it relays a service's refusal. A
   * websocket_tcp_converter still gets 503 ERR_EDGE_NO_BACKEND: there are no bytes to carry.
   */
  upstreams(): Upstream[] {
    return [this.answering];
  }

  private readonly answering: Upstream = {
    lostCode: ErrorCode.ERR_EDGE_NO_BACKEND,
    open: async (conn) => {
      // A websocket_tcp_converter's raw bytes have no service to reach here.
      if (conn.proto === 'tcp') throw new PorticoError(ErrorCode.ERR_EDGE_NO_BACKEND, 'an HTTP response backend');
      return asSocket(answerOnRequest(this.upgradeAnswer));
    },
  };

  async forwardHttp(ex: HttpExchange): Promise<Outcome> {
    ex.req.resume();
    const sink = sendResponseHead(ex.res, ex.effects, this.statusCode, undefined, this.rawHeaders);
    sink.end(ex.req.method === 'HEAD' || this.body.length === 0 ? undefined : this.body);
    return 'served';
  }

  /** Never reached: compilation refuses an HTTP response backend on TLS and TCP edges. */
  async forwardConn(_ex: ConnExchange): Promise<Outcome> {
    return 'unavailable';
  }
}

/** An HTTP/1.1 response as bytes. The API refuses names and values that could not be a header (CR, LF, NUL). */
function asBytes(status: number, rawHeaders: readonly string[], body: Buffer): Buffer {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
}

/**
 * A connection whose other end answers `answer` once the head of the request sent on it is
 * complete (its blank line), then ends. What follows the head is read and dropped.
 */
function answerOnRequest(answer: Buffer): Duplex {
  let tail = '';
  let answered = false;
  return new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      if (!answered) {
        const seen = tail + chunk.toString('latin1');
        if (seen.includes('\r\n\r\n')) {
          answered = true;
          this.push(answer);
          this.push(null);
        } else tail = seen.slice(-3);
      }
      callback();
    },
  });
}
