/**
 * The RPC pattern over typed streams (docs/protocol.md §5): one JSON request, one JSON reply,
 * then FIN. Go agents end their JSON with '\n' and Rust agents do not; neither half-closes
 * before the reply, so requests are parsed as they arrive rather than at EOF.
 */
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { MuxSession } from './session.ts';

export interface ReadJsonOptions {
  /** Largest message accepted, in bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Milliseconds to wait for a complete value. Default 30000. */
  timeoutMs?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const NOT_YET = Symbol('not yet');

/**
 * Resolves with the first complete JSON value read from `stream`, trying to parse after every
 * chunk; bytes after it are discarded. Rejects with ERR_RPC_MALFORMED (the stream ended with
 * nothing or with something that is not JSON), ERR_RPC_TOO_LARGE or ERR_RPC_TIMEOUT, or with the
 * stream's own error. The stream is left as it is on failure: reset it if it should not live on.
 */
export function readJson(stream: Readable, opts: ReadJsonOptions = {}): Promise<unknown> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    let size = 0;
    const settle = (err: Error | null, value?: unknown): void => {
      clearTimeout(timer);
      stream.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      size += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (size > maxBytes) return settle(new PorticoError(ErrorCode.ERR_RPC_TOO_LARGE, `more than ${maxBytes} bytes`));
      text += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const value = parseComplete(text, false);
      if (value !== NOT_YET) settle(null, value);
    };
    const onEnd = (): void => {
      text += decoder.end();
      const value = parseComplete(text, true);
      if (value !== NOT_YET) return settle(null, value);
      settle(
        new PorticoError(
          ErrorCode.ERR_RPC_MALFORMED,
          text.trim() === '' ? 'the stream ended before any JSON' : 'the stream ended without a valid JSON value',
        ),
      );
    };
    const onError = (err: Error): void => settle(err);
    const onClose = (): void =>
      settle(new PorticoError(ErrorCode.ERR_RPC_MALFORMED, 'the stream closed before a complete JSON value'));
    const timer = setTimeout(
      () => settle(new PorticoError(ErrorCode.ERR_RPC_TIMEOUT, `no complete JSON value within ${timeoutMs} ms`)),
      timeoutMs,
    );
    if (stream.readableEnded || stream.destroyed)
      return settle(new PorticoError(ErrorCode.ERR_RPC_MALFORMED, 'the stream had already ended'));
    stream.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** Writes `value` as JSON, then ends the stream (FIN), which Rust agents wait for. */
export function writeJsonAndEnd(stream: Writable, value: unknown): void {
  stream.end(JSON.stringify(value) ?? 'null');
}

/**
 * Agent side of one RPC: opens a stream of `type`, writes `body` as JSON without ending, reads
 * the whole reply up to the peer's FIN, then ends its own side. Rejects with the errors of
 * readJson, ERR_MUX_SESSION_CLOSED / ERR_MUX_STREAMS_EXHAUSTED, or the stream's error.
 */
export async function rpcCall(
  session: MuxSession,
  type: number,
  body: unknown,
  opts: ReadJsonOptions = {},
): Promise<unknown> {
  const stream = session.openStream(type);
  stream.write(JSON.stringify(body) ?? 'null');
  let text: string;
  try {
    text = await readToEnd(stream, opts.maxBytes ?? DEFAULT_MAX_BYTES, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch (err) {
    stream.reset();
    throw err;
  }
  stream.end();
  const value = parseComplete(text, true);
  if (value === NOT_YET)
    throw new PorticoError(
      ErrorCode.ERR_RPC_MALFORMED,
      text.trim() === '' ? 'the reply was empty' : 'the reply is not valid JSON',
    );
  return value;
}

function readToEnd(stream: Readable, maxBytes: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (err: Error | null): void => {
      clearTimeout(timer);
      stream.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size).toString('utf8'));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) return settle(new PorticoError(ErrorCode.ERR_RPC_TOO_LARGE, `more than ${maxBytes} bytes`));
      chunks.push(chunk);
    };
    const onEnd = (): void => settle(null);
    const onClose = (): void =>
      settle(new PorticoError(ErrorCode.ERR_RPC_MALFORMED, 'the stream closed before the reply ended'));
    const timer = setTimeout(
      () => settle(new PorticoError(ErrorCode.ERR_RPC_TIMEOUT, `no reply within ${timeoutMs} ms`)),
      timeoutMs,
    );
    stream.on('data', onData).on('end', onEnd).on('error', settle).on('close', onClose);
  });
}

// Returns the parsed value, or NOT_YET when the text is not (yet) one complete JSON value. Before
// the end a trailing digit may be part of a longer number, so that waits for more input.
function parseComplete(text: string, atEnd: boolean): unknown {
  // Only a value's last character can end it; anything else is still arriving, so a long
  // message is not parsed again and again while it streams in.
  if (!atEnd && !mayEndValue(text)) return NOT_YET;
  const trimmed = text.trim();
  if (trimmed === '') return NOT_YET;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return NOT_YET;
  }
}

/** True when the last character that is not white space could close a JSON value. */
function mayEndValue(text: string): boolean {
  let i = text.length - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i--;
  return i >= 0 && '}]"el'.includes(text[i]!);
}
