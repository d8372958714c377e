import type http from 'node:http';
import { pipeline, type Transform, type Writable } from 'node:stream';
import type { ExchangeEffects, HeaderEdit } from './exchange.ts';

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
  const transforms: Transform[] = [];
  for (let i = shapers.length - 1; i >= 0; i--) {
    const transform = shapers[i]!(head);
    if (transform) transforms.push(transform);
  }
  res.writeHead(head.status, head.status === status ? message : undefined, head.headers);
  if (transforms.length === 0) return res;
  pipeline([...transforms, res], (err) => {
    if (err) res.destroy();
  });
  return transforms[0]!;
}

/** The request headers for the service with the modules' edits applied. */
export function withEdits(
  headers: http.OutgoingHttpHeaders,
  edits: readonly HeaderEdit[] | undefined,
): http.OutgoingHttpHeaders {
  if (edits) for (const edit of edits) edit(headers);
  return headers;
}
