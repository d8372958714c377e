import type { Duplex, Readable } from 'node:stream';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import { Countdown } from './countdown.ts';
import type { BodyFraming } from './request-head.ts';
import { AnnouncedBody, announcedResponseLength } from '../../../http1/announced-body.ts';
import { HttpParser, type MessageHead } from '../../../http1/parser.ts';

/** One request for a tunnel stream (request-head.ts writes its head). */
export interface TunnelRequest {
  method: string;
  head: string;
  framing: BodyFraming;
  /** The client's request to stream on (framing says how), a whole body, or none. */
  body: Readable | Buffer | null;
}

/** What an exchange on a TunnelConnection is told, in order. */
export interface ExchangeHandler {
  /**
   * The final response's head (1xx responses are passed over). `resume` continues a body that
   * `data` paused by returning false.
   */
  head(status: number, message: string, rawHeaders: string[], resume: () => void): void;
  /** A piece of the body; false asks for no more until `resume`. */
  data(chunk: Buffer): boolean;
  end(): void;
  /** The exchange failed: before the head (`responded` false: nothing reached the client) or within the body. */
  error(err: Error, how: { responded: boolean }): void;
}

/** What the pool is told about a connection. */
export interface ConnectionOwner {
  /** It finished a response and may carry another, for at most `idleMs`. */
  idle(conn: TunnelConnection, idleMs: number): void;
  /** It can carry no more (closed, failed, or ended by the agent). */
  gone(conn: TunnelConnection): void;
}

export interface ConnectionOptions {
  /** Milliseconds from the end of the request body to the response head: ERR_NGROK_3008. */
  headersTimeoutMs: number;
  /** Idle time when the response says nothing of its keep-alive; at most maxIdleMs otherwise. */
  idleMs: number;
  maxIdleMs: number;
}

interface Exchange {
  method: string;
  handler: ExchangeHandler;
  /** The final head was handed over. */
  responded: boolean;
  /** The current response is a 1xx: its end is not the exchange's. */
  interim: boolean;
  /** The last body piece was refused: the stream waits for resume. */
  paused: boolean;
  /** The request body has been written whole. */
  sent: boolean;
  keepAlive: boolean;
  idleMs: number;
  /** Stops reading the client's body, while it is being sent. */
  stopSending?: () => void;
}

/** `Keep-Alive: timeout=N` (seconds), as a service's response to the agent carries it. */
const keepAliveTimeout = /timeout=(\d+)/i;

/**
 * An HTTP/1.1 client connection over one tunnel stream: writes one request at a time and
 * parses the agent's responses with Node's own parser (http1/parser.ts). Bodies stream both
 * ways with backpressure: the client's body is read as the stream takes it, and the response
 * body's pieces are handed over as they are parsed, the stream paused when the handler asks.
 * Past its first piece, a body whose length the head announced is handed over as slices of
 * what the stream read, not as the parser's pieces (copies: http1/announced-body.ts).
 */
export class TunnelConnection {
  private readonly parser: HttpParser;
  private readonly body: AnnouncedBody;
  private exchange: Exchange | undefined;
  /** Counts toward ERR_NGROK_3008 while a response head is awaited. */
  private readonly headTimer = new Countdown(() =>
    this.fail(new PorticoError(ErrorCode.ERR_NGROK_3008, `no response head in ${this.options.headersTimeoutMs} ms`)),
  );
  /** Counts the idle time the connection is kept for. */
  private readonly restTimer = new Countdown(() => this.close());
  private closed = false;

  constructor(
    readonly stream: Duplex,
    private readonly owner: ConnectionOwner,
    private readonly options: ConnectionOptions,
  ) {
    this.parser = new HttpParser('response', {
      head: (head) => this.onHead(head),
      body: (chunk) => this.onBody(chunk),
      end: () => this.onEnd(),
    });
    this.body = new AnnouncedBody(this.parser);
    stream.on('data', (data: Buffer) => {
      try {
        if (!this.exchange) throw new Error('bytes from the agent with no request outstanding');
        // The parser still reads the body, which tells it where the response ends.
        if (this.body.counting) this.handOn(data.subarray(0, this.body.passed(data)));
        this.parser.execute(data);
      } catch (err) {
        this.fail(err as Error);
      }
    });
    // The agent ended the stream (its service closed the connection): a response delimited by
    // the close is complete; the stream can carry nothing more, so it is ended here too.
    stream.once('end', () => {
      try {
        if (this.exchange) this.parser.finish();
      } catch (err) {
        return this.fail(err as Error);
      }
      this.fail(new PorticoError(ErrorCode.ERR_MUX_STREAM_RESET, 'the agent closed the stream'));
    });
    stream.on('error', (err) => this.fail(err));
    stream.once('close', () => this.fail(new PorticoError(ErrorCode.ERR_MUX_STREAM_RESET, 'the stream closed')));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `request`; `handler` hears of its response. The connection must be idle. */
  send(request: TunnelRequest, handler: ExchangeHandler): void {
    this.restTimer.stop();
    const ex: Exchange = {
      method: request.method,
      handler,
      responded: false,
      interim: false,
      paused: false,
      sent: false,
      keepAlive: false,
      idleMs: this.options.idleMs,
    };
    this.exchange = ex;
    const { head, body } = request;
    if (body === null || Buffer.isBuffer(body)) {
      this.stream.write(body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head, 'latin1');
      this.bodySent(ex);
    } else {
      this.stream.write(head, 'latin1');
      this.sendBody(ex, body, request.framing === 'chunked');
    }
  }

  /** Drops the exchange (its client left): the stream is reset, and the handler hears no more. */
  abort(): void {
    this.exchange?.stopSending?.();
    this.exchange = undefined;
    this.close();
  }

  /** Ends the connection (idle past its time, or its pool closing). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.headTimer.dispose();
    this.restTimer.dispose();
    this.exchange?.stopSending?.();
    this.stream.destroy();
    this.owner.gone(this);
    // The parser may be in the middle of a callback: freed once the stack unwinds.
    setImmediate(() => this.parser.close());
  }

  /** Keeps the connection idle until `ms` passes, then closes it. */
  rest(ms: number): void {
    this.restTimer.start(ms);
  }

  private sendBody(ex: Exchange, source: Readable, chunked: boolean): void {
    const onData = (chunk: Buffer) => {
      if (chunked) this.stream.write(`${chunk.length.toString(16)}\r\n`);
      let more = this.stream.write(chunk);
      if (chunked) more = this.stream.write('\r\n');
      if (!more) {
        source.pause();
        // A tunnel that stops taking the upload counts toward the header timeout from here.
        this.headTimer.start(this.options.headersTimeoutMs);
      }
    };
    const onDrain = () => {
      if (this.exchange !== ex || ex.sent) return;
      this.headTimer.stop();
      source.resume();
    };
    const onEnd = () => {
      stop();
      if (chunked) this.stream.write('0\r\n\r\n');
      this.bodySent(ex);
    };
    const stop = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      this.stream.off('drain', onDrain);
      ex.stopSending = undefined;
    };
    ex.stopSending = stop;
    if (source.readableEnded) return onEnd();
    source.on('data', onData);
    source.once('end', onEnd);
    this.stream.on('drain', onDrain);
    source.resume();
  }

  private bodySent(ex: Exchange): void {
    ex.sent = true;
    if (this.exchange !== ex) return;
    if (!ex.responded) this.headTimer.start(this.options.headersTimeoutMs);
  }

  private onHead({ status, statusMessage: message, headers: raw, keepAlive }: MessageHead): 'body' | 'none' {
    const ex = this.exchange!;
    if (status < 200) {
      // 103 Early Hints, 100 Continue: the final response follows. A 101 the edge did not ask for cannot.
      if (status === 101) throw new Error('the agent switched protocols on a plain request');
      ex.interim = true;
      return 'body';
    }
    this.headTimer.stop();
    ex.responded = true;
    ex.keepAlive = keepAlive;
    this.body.start(announcedResponseLength(ex.method, status, raw));
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.length !== 10 || raw[i]!.toLowerCase() !== 'keep-alive') continue;
      const hint = keepAliveTimeout.exec(raw[i + 1]!);
      // Two seconds less than the service's own keep-alive, so the edge lets go first.
      if (hint) ex.idleMs = Math.min(Math.max(Number(hint[1]) * 1000 - 2000, 0), this.options.maxIdleMs);
    }
    ex.handler.head(status, message, raw, () => {
      if (this.exchange !== ex || !ex.paused) return;
      ex.paused = false;
      this.stream.resume();
    });
    return ex.method === 'HEAD' ? 'none' : 'body';
  }

  private onBody(chunk: Buffer): void {
    this.body.piece(chunk.length);
    this.handOn(chunk);
  }

  private handOn(chunk: Buffer): void {
    const ex = this.exchange;
    if (!ex) return;
    if (!ex.handler.data(chunk) && !ex.paused) {
      ex.paused = true;
      this.stream.pause();
    }
  }

  private onEnd(): void {
    const ex = this.exchange;
    if (!ex) return;
    if (ex.interim) {
      ex.interim = false;
      return;
    }
    this.exchange = undefined;
    this.body.end();
    if (ex.paused) this.stream.resume();
    ex.handler.end();
    // A response that came before the whole request was sent leaves the stream mid-request.
    if (!ex.keepAlive || !ex.sent || this.closed) return this.close();
    this.owner.idle(this, ex.idleMs);
  }

  private fail(err: Error): void {
    const ex = this.exchange;
    this.exchange = undefined;
    this.close();
    ex?.stopSending?.();
    ex?.handler.error(err, { responded: ex.responded });
  }
}
