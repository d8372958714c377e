import type http from 'node:http';
import { pipeline, type Transform, type Writable } from 'node:stream';
import { controlsAsSpaces } from '../proxy/headers.ts';
import type { ExchangeEffects, HeaderEdit, ResponseHead, ResponseShaper } from './exchange.ts';

/**
 * Writes a response head through the modules' shapers and returns where the body goes: the
 * response itself, or the first of the shapers' transforms, piped on to it with backpressure.
 */
export function sendResponseHead(
  res: http.ServerResponse,
  effects: ExchangeEffects | undefined,
  status: number,
  message: string | undefined,
  headers: string[],
): Writable {
  const shapers = effects?.responseShapers;
  if (!shapers) {
    res.writeHead(status, message, headers);
    return res;
  }
  const head = { status, headers };
  const transforms = shapeHead(shapers, head);
  res.writeHead(head.status, head.status === status ? message : undefined, head.headers);
  if (transforms.length === 0) return res;
  pipeline([...transforms, res], (err) => {
    if (err) res.destroy();
  });
  return transforms[0]!;
}

/**
 * Runs the modules' response shapers on `head` (innermost first, as the chain unwinds); returns
 * the transforms the body then flows through, in order.
 */
export function shapeHead(shapers: readonly ResponseShaper[] | undefined, head: ResponseHead): Transform[] {
  const transforms: Transform[] = [];
  for (let i = (shapers?.length ?? 0) - 1; i >= 0; i--) {
    const transform = shapers![i]!(head);
    if (transform) transforms.push(transform);
  }
  return transforms;
}

/**
 * The request headers for the service with the modules' edits applied. Modules set text as
 * header bytes already (proxy/headers.ts textAsHeaderValue); should an edit still set what no
 * header can carry, line breaks and other controls go as spaces and characters beyond Latin-1 as
 * the value's UTF-8 bytes (sendableHeaderValue), so the request goes out rather than failing.
 */
export function withEdits(
  headers: http.OutgoingHttpHeaders,
  edits: readonly HeaderEdit[] | undefined,
): http.OutgoingHttpHeaders {
  if (!edits) return headers;
  for (const edit of edits) edit(headers);
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') headers[name] = sendableHeaderValue(value);
    else if (Array.isArray(value)) headers[name] = value.map(sendableHeaderValue);
  }
  return headers;
}

/** What a header value cannot carry on the wire (RFC 9110 §5.5: tab, visible ASCII, space, obs-text). */
const unsendable = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * `value` as it can go in a header: unchanged when it can; otherwise controls become spaces and
 * the whole value goes as its UTF-8 bytes (one Latin-1 character per byte), as an edge written
 * in Go sends a string.
 */
function sendableHeaderValue(value: string): string {
  if (!unsendable.test(value)) return value;
  const spaced = controlsAsSpaces(value);
  return unsendable.test(spaced) ? Buffer.from(spaced, 'utf8').toString('latin1') : spaced;
}
