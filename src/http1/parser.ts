import { createRequire } from 'node:module';

/**
 * Node's own HTTP/1.1 parser (llhttp, compiled into the binary), as Node's `http` module uses
 * it: the class `_http_common` exports. Not a documented API, but the one Node's client and
 * server are built on, the same in shape from Node 20 to 24; CI runs the suite on both
 * (edge/proxy/tunnel-http/tunnel-connection.test.ts and agent/traffic/http-tap.test.ts first).
 * Messages are parsed in C++, with calls into JavaScript for each head, body piece and end.
 */
interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  /** Bytes parsed (fewer than given once a head switched protocols), or the parse error. */
  execute(data: Buffer): number | (Error & { code?: string; reason?: string });
  finish(): undefined | (Error & { code?: string; reason?: string });
  close(): void;
  [callback: number]: unknown;
}

interface NativeParserClass {
  new (): NativeParser;
  REQUEST: number;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kLenientNone: number;
  kLenientAll: number;
}

const common = createRequire(import.meta.url)('_http_common') as { HTTPParser: NativeParserClass; methods: string[] };
const { HTTPParser } = common;

/** A message head as parsed. */
export interface MessageHead {
  versionMajor: number;
  versionMinor: number;
  /** Names and values as sent, in order: `[name, value, name, value, …]`. */
  headers: string[];
  /** Requests: the method and target. */
  method: string;
  url: string;
  /** Responses: the status and reason phrase. */
  status: number;
  statusMessage: string;
  /** The message asks to switch protocols (Upgrade, CONNECT). */
  upgrade: boolean;
  /** The connection may carry another message after this one. */
  keepAlive: boolean;
}

/**
 * What a head means for what follows it: `body` as its headers announce; `none` (the answer to
 * HEAD); `switch`: no body, the connection leaves HTTP (a CONNECT answered 2xx).
 */
export type AfterHead = 'body' | 'none' | 'switch';

/** What an HttpParser reports, in order, for each message on the connection. */
export interface MessageEvents {
  head(head: MessageHead): AfterHead;
  body(chunk: Buffer): void;
  end(): void;
}

export interface HttpParserOptions {
  /** Bytes of a head before it is an error. Default 16 KiB (Node's --max-http-header-size). */
  maxHeadBytes?: number;
  /** Take what llhttp can read past strict HTTP/1.1 (an observer's choice). Default false. */
  lenient?: boolean;
}

const afterHead: Record<AfterHead, number> = { body: 0, none: 1, switch: 2 };

/** Parses the requests or the responses of one HTTP/1.x connection, one message after another. */
export class HttpParser {
  private readonly parser = new HTTPParser();
  /** Header pairs handed over before the head was complete (more than 32 of them). */
  private early: string[] = [];

  constructor(kind: 'request' | 'response', events: MessageEvents, options: HttpParserOptions = {}) {
    const parser = this.parser;
    parser.initialize(
      kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE,
      this,
      options.maxHeadBytes ?? 0,
      options.lenient ? HTTPParser.kLenientAll : HTTPParser.kLenientNone,
    );
    parser[HTTPParser.kOnHeaders] = (headers: string[]) => void this.early.push(...headers);
    parser[HTTPParser.kOnHeadersComplete] = (
      versionMajor: number,
      versionMinor: number,
      headers: string[] | undefined,
      method: number | undefined,
      url: string | undefined,
      status: number | undefined,
      statusMessage: string | undefined,
      upgrade: boolean,
      keepAlive: boolean,
    ) => {
      const all = this.early.length > 0 ? [...this.early, ...(headers ?? [])] : (headers ?? []);
      this.early = [];
      return afterHead[
        events.head({
          versionMajor,
          versionMinor,
          headers: all,
          method: method === undefined ? '' : (common.methods[method] ?? 'UNKNOWN'),
          url: url ?? '',
          status: status ?? 0,
          statusMessage: statusMessage ?? '',
          upgrade,
          keepAlive,
        })
      ];
    };
    this.onBody = (chunk: Buffer) => events.body(chunk);
    parser[HTTPParser.kOnBody] = this.onBody;
    parser[HTTPParser.kOnMessageComplete] = () => events.end();
  }

  private readonly onBody: (chunk: Buffer) => void;

  /**
   * Whether `body` hears of the body's pieces (true at first). Node's parser copies each piece
   * it hands over; an observer that needs only the length of a body its head announced turns
   * them off, and on again for the next message.
   */
  set bodyPieces(wanted: boolean) {
    this.parser[HTTPParser.kOnBody] = wanted ? this.onBody : undefined;
  }

  /**
   * Parses `data`; returns the bytes that were HTTP (all of them, unless a head switched
   * protocols: the rest belongs to the new one). Throws the parse error when they are not.
   */
  execute(data: Buffer): number {
    const parsed = this.parser.execute(data);
    if (typeof parsed !== 'number') throw parseError(parsed);
    return parsed;
  }

  /** The input ended: a message delimited by the end is complete. Throws when one was cut. */
  finish(): void {
    const err = this.parser.finish();
    if (err) throw parseError(err);
  }

  /** Frees the native parser; not from inside one of its callbacks. */
  close(): void {
    this.parser.close();
  }
}

/** llhttp's error ("Parse Error", code HPE_…) with its reason as the message: `Header overflow (HPE_HEADER_OVERFLOW)`. */
function parseError(err: Error & { code?: string; reason?: string }): Error {
  return Object.assign(new Error(`${err.reason ?? err.message} (${err.code ?? 'HPE_UNKNOWN'})`), { code: err.code });
}
