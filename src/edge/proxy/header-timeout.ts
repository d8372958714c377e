import type http from 'node:http';
import { ErrorCode, isPorticoError, PorticoError } from '../../errors/catalogue.ts';

/** True for the error waitForHeaders fails a request with. */
export function timedOut(err: unknown): boolean {
  return isPorticoError(err) && err.code === ErrorCode.ERR_NGROK_3008;
}

/**
 * Fails `upstream` with ERR_NGROK_3008 when its response headers have not arrived
 * `timeoutMs` after the request was written in full (an upload is not timed). Returns the
 * function that stops the clock.
 */
export function waitForHeaders(upstream: http.ClientRequest, timeoutMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs > 0) {
    upstream.once('finish', () => {
      timer = setTimeout(
        () => upstream.destroy(new PorticoError(ErrorCode.ERR_NGROK_3008, `${timeoutMs / 1000} s`)),
        timeoutMs,
      );
    });
  }
  return () => clearTimeout(timer);
}
