/**
 * Keeps captures as traffic arrives and pushes them to the pages that follow `GET /api/live`
 * (server-sent events): `request` with a capture in ngrok's shape, `message` with a WebSocket
 * message of an upgraded connection, `clear` when the captures were deleted. A follower that
 * does not keep up is dropped rather than buffered for: the tunnel never waits for a page.
 */
import type http from 'node:http';
import { ngrokCapture } from './captures.ts';
import type { Capture, CaptureStore } from './captures.ts';
import type { AgentTraffic, HttpRequestRecord } from '../traffic/traffic.ts';
import { FrameReader } from './ws-frames.ts';
import type { Readable } from 'node:stream';

/** Pages following at once. */
const maxFollowers = 16;
/** Bytes queued for one follower before it is dropped. */
const maxQueuedBytes = 4 * 1024 * 1024;
/** Milliseconds between keep-alive comments. */
const keepAliveMs = 15_000;
/** Bytes of a WebSocket message's payload kept. Default as a body: 10 KiB. */
const messageBytes = 10 * 1024;

export class LiveFeed {
  readonly #followers = new Set<http.ServerResponse>();
  /** The capture of each record, for the WebSocket messages that follow a 101. */
  readonly #byRecord = new WeakMap<HttpRequestRecord, Capture>();
  readonly #captures: CaptureStore;
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(traffic: AgentTraffic, captures: CaptureStore) {
    this.#captures = captures;
    const onRequest = (record: HttpRequestRecord) => {
      // Tunnels with inspect off carry no captured head: they are counted, not kept.
      if (!record.request) return;
      const capture = captures.add(record);
      this.#byRecord.set(record, capture);
      this.#send('request', ngrokCapture(capture));
    };
    const onSwitched = (...[record, streams]: SwitchArgs) => this.#followWebSocket(record, streams);
    traffic.on('request', onRequest);
    traffic.on('switched', onSwitched);
    this.#unsubscribe = () => {
      traffic.off('request', onRequest);
      traffic.off('switched', onSwitched);
    };
    this.#timer = setInterval(() => this.#write(': keep-alive\n\n'), keepAliveMs);
    this.#timer.unref();
  }

  /** Answers `res` with the event stream until the page goes away. */
  follow(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.#followers.size >= maxFollowers) {
      res.writeHead(503, { 'retry-after': '5' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(': following\n\n');
    this.#followers.add(res);
    req.once('close', () => this.#followers.delete(res));
  }

  cleared(): void {
    this.#send('clear', {});
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
    for (const res of this.#followers) res.end();
    this.#followers.clear();
  }

  #followWebSocket(record: HttpRequestRecord, streams: SwitchArgs[1]): void {
    const capture = this.#byRecord.get(record);
    if (!capture) return;
    const reader = (direction: 'in' | 'out') =>
      new FrameReader(messageBytes, (frame) => this.#message(capture, direction, frame));
    const incoming = reader('in');
    const outgoing = reader('out');
    if (streams.responseRest.length > 0) outgoing.push(streams.responseRest);
    watch(streams.requests, incoming);
    watch(streams.responses, outgoing);
  }

  #message(
    capture: Capture,
    direction: 'in' | 'out',
    frame: { kind: string; compressed: boolean; data: Buffer; length: number },
  ) {
    const kind = frame.compressed ? `${frame.kind} (compressed)` : frame.kind;
    const message = { direction, at: Date.now(), kind, data: frame.data, length: frame.length };
    this.#captures.addMessage(capture, message);
    this.#send('message', {
      id: capture.id,
      direction,
      at: new Date(message.at).toISOString(),
      kind,
      data: frame.data.toString('base64'),
      length: frame.length,
    });
  }

  #send(event: string, data: unknown): void {
    if (this.#followers.size === 0) return;
    this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  #write(text: string): void {
    for (const res of this.#followers) {
      if (res.writableLength > maxQueuedBytes) {
        this.#followers.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }
}

type SwitchArgs = [
  record: HttpRequestRecord,
  streams: { requests: Readable; responses: Readable; responseRest: Buffer },
];

/** Shows `reader` every chunk of `stream` (which flows through the splice anyway). */
function watch(stream: Readable, reader: FrameReader): void {
  const onData = (chunk: Buffer) => {
    reader.push(chunk);
    if (reader.broken) stream.off('data', onData);
  };
  stream.on('data', onData);
}
