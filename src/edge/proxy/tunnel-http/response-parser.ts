import { createRequire } from 'node:module';

/**
 * Node's own HTTP/1.1 parser (llhttp, compiled into the binary), as its HTTP client uses it:
 * the class `_http_common` exports. Not a documented API, but the one Node's `http` module is
 * built on, the same in shape from Node 20 to 24; CI runs the suite (tunnel-connection.test.ts
 * first) on both. Responses are parsed in C++ with callbacks into JavaScript for the head, the
 * body's pieces and the end of each message.
 */
interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  /** Bytes parsed, or the parse error (code HPE_…). */
  execute(data: Buffer): number | (Error & { code?: string });
  /** At the end of the input: completes a response delimited by the connection's close. */
  finish(): undefined | Error;
  close(): void;
  [callback: number]: unknown;
}

interface NativeParserClass {
  new (): NativeParser;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}

const { HTTPParser } = createRequire(import.meta.url)('_http_common') as { HTTPParser: NativeParserClass };

/** What a ResponseParser reports, in order, for each response on the connection. */
export interface ResponseEvents {
  /**
   * A response head (1xx included). Returns true when the response has no body whatever its
   * headers say (the answer to HEAD).
   */
  head(status: number, message: string, rawHeaders: string[], keepAlive: boolean): boolean;
  body(chunk: Buffer): void;
  /** The end of the response (of a 1xx, its head). */
  end(): void;
}

/** Parses the responses of one HTTP/1.1 connection, one after another (keep-alive). */
export class ResponseParser {
  private readonly parser = new HTTPParser();
  /** Header pairs the parser handed over before the head was complete (more than 32 of them). */
  private early: string[] = [];

  constructor(events: ResponseEvents) {
    const parser = this.parser;
    // 0: the default header size bound (16 KiB, Node's --max-http-header-size); no leniency.
    parser.initialize(HTTPParser.RESPONSE, this, 0, 0);
    parser[HTTPParser.kOnHeaders] = (headers: string[]) => void this.early.push(...headers);
    parser[HTTPParser.kOnHeadersComplete] = (
      _major: number,
      _minor: number,
      headers: string[] | undefined,
      _method: unknown,
      _url: unknown,
      status: number,
      message: string,
      _upgrade: boolean,
      keepAlive: boolean,
    ) => {
      const raw = this.early.length > 0 ? [...this.early, ...(headers ?? [])] : (headers ?? []);
      this.early = [];
      // 1: llhttp skips the body.
      return events.head(status, message, raw, keepAlive) ? 1 : 0;
    };
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => events.body(chunk);
    parser[HTTPParser.kOnMessageComplete] = () => events.end();
  }

  /** Parses `data`; throws the parse error when the bytes are not an HTTP/1.1 response. */
  execute(data: Buffer): void {
    const parsed = this.parser.execute(data);
    if (typeof parsed !== 'number') throw parsed;
  }

  /** The connection ended: a response delimited by its end is complete. Throws a parse error. */
  finish(): void {
    const err = this.parser.finish();
    if (err) throw err;
  }

  /** Frees the native parser; not from inside one of its callbacks. */
  close(): void {
    this.parser.close();
  }
}
