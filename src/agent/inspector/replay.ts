/**
 * Replay: a captured (or edited) request sent again to the tunnel's local service, from the
 * agent, through the same traffic tap as tunnel traffic, so the replay shows up as a new request.
 */
import { PassThrough } from 'node:stream';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { isToken } from '../../http1/token.ts';
import { upstreamTarget } from '../addr.ts';
import { dialUpstream } from '../forwarder.ts';
import type { Listener } from '../listener.ts';
import type { AgentTraffic } from '../traffic/traffic.ts';

/** A request to send: what the raw text of an edited request parses into. */
export interface ReplayRequest {
  method: string;
  /** The request target (`/path?query`). */
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** Milliseconds a replay may take (connect, send, the whole response). Default 30 s. */
const replayTimeoutMs = 30_000;

/**
 * Parses the raw text of a request (`GET /x HTTP/1.1`, header lines, a blank line, the body).
 * Lines may end in LF alone, as a text box gives them. Throws ERR_INSPECTOR_REQUEST_INVALID.
 */
export function parseRawRequest(raw: Buffer): ReplayRequest {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const [end, gap] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : lf >= 0 ? [lf, 2] : [raw.length, 0];
  const lines = raw.subarray(0, end).toString('latin1').split(/\r?\n/);
  const [method, target, version, extra] = (lines.shift() ?? '').split(' ');
  const bad = (why: string) => new PorticoError(ErrorCode.ERR_INSPECTOR_REQUEST_INVALID, why);
  if (!method || !isToken(method)) throw bad('the request line must start with a method');
  if (!target || !target.startsWith('/')) throw bad('the request target must start with /');
  if ((version && !/^HTTP\/1\.[01]$/.test(version)) || extra !== undefined)
    throw bad('the request line must be "METHOD /path HTTP/1.1"');
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon <= 0 || !isToken(name)) throw bad(`not a header line: ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).trim();
    if (/[\r\n\0]/.test(value)) throw bad(`header ${name} has a control character`);
    headers.push([name, value]);
  }
  return { method, target, headers, body: gap ? raw.subarray(end + gap) : Buffer.alloc(0) };
}

/**
 * The bytes sent: the request with its body's real length, and `Connection: close` so that the
 * response ends with the connection.
 */
export function replayBytes(req: ReplayRequest): Buffer {
  const skip = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);
  const kept = req.headers.filter(([name]) => !skip.has(name.toLowerCase()));
  const hasBody = req.body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(req.method);
  const lines = [`${req.method} ${req.target} HTTP/1.1`, ...kept.map(([n, v]) => `${n}: ${v}`)];
  if (hasBody) lines.push(`Content-Length: ${req.body.length}`);
  lines.push('Connection: close', '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), req.body]);
}

/** Sends `req` to `listener`'s local service; resolves once the response is read. */
export async function replay(req: ReplayRequest, listener: Listener, traffic: AgentTraffic | undefined): Promise<void> {
  const socket = await dialUpstream(upstreamTarget(listener.forwardsTo), {
    verify: listener.spec.verifyUpstreamTls ?? true,
    timeoutMs: replayTimeoutMs,
  }).catch((err: Error) => {
    throw new PorticoError(ErrorCode.ERR_INSPECTOR_REPLAY_FAILED, `${listener.forwardsTo}: ${err.message}`, {
      cause: err,
    });
  });
  // Open until the service closes: the traffic tap counts the exchange as cut when its client side closes.
  const client = new PassThrough({ autoDestroy: false });
  const conn = {
    tunnel: listener.name ?? listener.url,
    clientAddr: '127.0.0.1:0',
    capture: listener.spec.inspect !== false,
  };
  traffic?.connection(conn, client).attach(socket, true);
  const timer = setTimeout(() => socket.destroy(), replayTimeoutMs);
  socket.on('error', () => {});
  socket.resume();
  client.pipe(socket);
  client.end(replayBytes(req));
  await new Promise<void>((resolve) =>
    socket.once('close', () => {
      clearTimeout(timer);
      client.destroy();
      resolve();
    }),
  );
}
