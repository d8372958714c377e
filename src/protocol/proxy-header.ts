/**
 * The header at the start of every proxy stream (docs/protocol.md §7): an 8-byte
 * little-endian signed length, then that many bytes of JSON. The connection's bytes follow.
 */
import type { Readable } from 'node:stream';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { ProxyHeader } from './messages.ts';

const LENGTH_BYTES = 8;
const DEFAULT_MAX_BYTES = 64 * 1024;

/** The length prefix and JSON of `header`, ready to write after the stream type. */
export function encodeProxyHeader(header: ProxyHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.allocUnsafe(LENGTH_BYTES + json.length);
  out.writeBigInt64LE(BigInt(json.length), 0);
  json.copy(out, LENGTH_BYTES);
  return out;
}

/**
 * Reads exactly one proxy header from `stream` and leaves every byte after it readable on the
 * stream. Rejects with ERR_RPC_MALFORMED (bad length, bad JSON, a missing or mistyped field, or
 * the stream ended first), ERR_RPC_TOO_LARGE (longer than `maxBytes`, default 64 KiB), or the
 * stream's own error.
 */
export function readProxyHeader(stream: Readable, opts: { maxBytes?: number } = {}): Promise<ProxyHeader> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve, reject) => {
    let length = -1;
    const settle = (err: Error | null, header?: ProxyHeader): void => {
      // With no 'readable' or 'data' listener left, Node puts the stream back in its initial
      // mode, so a later pipe() or on('data') starts it as usual.
      stream.off('readable', onReadable).off('end', onEnd).off('error', onError).off('close', onEnd);
      if (err) reject(err);
      else resolve(header as ProxyHeader);
    };
    // read(n) returns null until n bytes are buffered (or fewer once the stream ended), so
    // nothing past the header is consumed.
    const onReadable = (): void => {
      if (length < 0) {
        const prefix = stream.read(LENGTH_BYTES) as Buffer | null;
        if (prefix === null) return;
        if (prefix.length < LENGTH_BYTES) return onEnd();
        const declared = prefix.readBigInt64LE(0);
        if (declared < 0n)
          return settle(new PorticoError(ErrorCode.ERR_RPC_MALFORMED, `negative proxy header length ${declared}`));
        if (declared > BigInt(maxBytes))
          return settle(
            new PorticoError(
              ErrorCode.ERR_RPC_TOO_LARGE,
              `proxy header of ${declared} bytes, the limit is ${maxBytes}`,
            ),
          );
        length = Number(declared);
      }
      const body = length === 0 ? Buffer.alloc(0) : (stream.read(length) as Buffer | null);
      if (body === null) return;
      if (body.length < length) return onEnd();
      try {
        settle(null, parseProxyHeader(body));
      } catch (err) {
        settle(err as Error);
      }
    };
    const onEnd = (): void =>
      settle(new PorticoError(ErrorCode.ERR_RPC_MALFORMED, 'the stream ended inside the proxy header'));
    const onError = (err: Error): void => settle(err);
    if (stream.readableEnded || stream.destroyed) return onEnd();
    stream.on('readable', onReadable).on('end', onEnd).on('error', onError).on('close', onEnd);
  });
}

function parseProxyHeader(body: Buffer): ProxyHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    throw new PorticoError(ErrorCode.ERR_RPC_MALFORMED, 'the proxy header is not valid JSON');
  }
  const h = raw as Record<string, unknown>;
  const ok =
    !!raw &&
    typeof raw === 'object' &&
    typeof h.Id === 'string' &&
    typeof h.ClientAddr === 'string' &&
    typeof h.Proto === 'string' &&
    typeof h.EdgeType === 'string' &&
    ['', '0', '1', '2', '3'].includes(h.EdgeType) &&
    typeof h.PassthroughTLS === 'boolean';
  if (!ok)
    throw new PorticoError(ErrorCode.ERR_RPC_MALFORMED, 'the proxy header lacks a field or has one of the wrong type');
  return {
    Id: h.Id as string,
    ClientAddr: h.ClientAddr as string,
    Proto: h.Proto as string,
    EdgeType: h.EdgeType as ProxyHeader['EdgeType'],
    PassthroughTLS: h.PassthroughTLS as boolean,
  };
}
