import type { Backend, ConnExchange, HttpExchange, Outcome } from '../backend.ts';

/** A static answer: status, headers and body, prepared once at compile time. */
export class HttpResponseBackend implements Backend {
  readonly kind = 'http_response';
  readonly children = [];
  private readonly body: Buffer;

  constructor(
    readonly id: string,
    private readonly statusCode: number,
    private readonly headers: Readonly<Record<string, string>>,
    body: string,
  ) {
    this.body = Buffer.from(body);
  }

  pickTunnel(): undefined {
    return undefined;
  }

  async forwardHttp(ex: HttpExchange): Promise<Outcome> {
    ex.req.resume();
    ex.res.writeHead(this.statusCode, { ...this.headers, 'content-length': this.body.length });
    ex.res.end(ex.req.method === 'HEAD' ? undefined : this.body);
    return 'served';
  }

  /** Never reached: compilation refuses an HTTP response backend on TLS and TCP edges. */
  async forwardConn(_ex: ConnExchange): Promise<Outcome> {
    return 'unavailable';
  }
}
