import { sendResponseHead } from '../../pipeline/respond.ts';
import type { Backend, ConnExchange, HttpExchange, Outcome } from '../backend.ts';

/** A static answer: status, headers and body, prepared once at compile time. */
export class HttpResponseBackend implements Backend {
  readonly kind = 'http_response';
  readonly children = [];
  private readonly body: Buffer;
  private readonly rawHeaders: string[];

  constructor(
    readonly id: string,
    private readonly statusCode: number,
    private readonly headers: Readonly<Record<string, string>>,
    body: string,
  ) {
    this.body = Buffer.from(body);
    this.rawHeaders = Object.entries(headers).flat();
  }

  /** None: an upgrade to this backend answers 503 ERR_EDGE_NO_BACKEND (it has no service to upgrade to). */
  upstreams(): [] {
    return [];
  }

  async forwardHttp(ex: HttpExchange): Promise<Outcome> {
    ex.req.resume();
    const sink = sendResponseHead(ex.res, ex.effects, this.statusCode, undefined, [
      ...this.rawHeaders,
      'content-length',
      String(this.body.length),
    ]);
    sink.end(ex.req.method === 'HEAD' ? undefined : this.body);
    return 'served';
  }

  /** Never reached: compilation refuses an HTTP response backend on TLS and TCP edges. */
  async forwardConn(_ex: ConnExchange): Promise<Outcome> {
    return 'unavailable';
  }
}
