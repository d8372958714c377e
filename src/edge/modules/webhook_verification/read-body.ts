import type http from 'node:http';

/** Bytes of a request body the edge reads to check a webhook signature, unless configured. 1 MiB. */
export const defaultMaxBodyBytes = 1024 * 1024;

/**
 * Reads a request body as it streams in, up to `maxBytes`. `too-large` as soon as it is (by its
 * Content-Length, or once the chunks pass the bound; the rest is never read), `aborted` when
 * the client goes away first.
 */
export function readBoundedBody(
  req: http.IncomingMessage,
  maxBytes: number,
): Promise<Buffer | 'too-large' | 'aborted'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.resolve('too-large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | 'too-large' | 'aborted') => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        return done('too-large');
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks, size));
    const onClose = () => done('aborted');
    req.on('data', onData).on('end', onEnd).on('close', onClose);
  });
}
