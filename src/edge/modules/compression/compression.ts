import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import type { CompressionPlan } from '../../../config/modules/plans.ts';
import type { ResponseHead } from '../../pipeline/exchange.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { rawHeader, removeRawHeader, setRawHeader } from '../../pipeline/raw-headers.ts';
import { negotiateCoding, type Coding } from './accept-encoding.ts';
import { isCompressible } from './compressible.ts';

/** Bodies announced shorter than this many bytes are sent as they are: framing would eat the gain. */
export const minCompressedLength = 860;

/**
 * `compression`: gzip or deflate, as the client's Accept-Encoding prefers, streamed through
 * zlib with backpressure (never buffered whole). Content-Length goes, Content-Encoding comes,
 * and `Vary: Accept-Encoding` is added to every response that could have been compressed.
 */
export function compressionModule(_plan: CompressionPlan): HttpModule {
  return {
    name: 'compression',
    async handle(ex, next) {
      if (ex.res && ex.req.method !== 'HEAD') {
        const coding = negotiateCoding(ex.req.headers['accept-encoding']);
        ex.shapeResponse((head) => compress(head, coding));
      }
      return next();
    },
  };
}

function compress(head: ResponseHead, coding: Coding | undefined): Transform | undefined {
  if (!worthCompressing(head)) return undefined;
  addVary(head.headers);
  if (!coding) return undefined;
  removeRawHeader(head.headers, 'content-length');
  setRawHeader(head.headers, 'content-encoding', coding);
  // The bytes differ from the service's: a strong validator would now lie (RFC 9110 §8.8.3).
  const etag = rawHeader(head.headers, 'etag');
  if (etag && !etag.startsWith('W/')) setRawHeader(head.headers, 'etag', `W/${etag}`);
  return coding === 'gzip' ? zlib.createGzip() : zlib.createDeflate();
}

/** A response with a body that is not encoded yet, of a type that compresses, and not known to be tiny. */
function worthCompressing({ status, headers }: ResponseHead): boolean {
  if (status < 200 || status === 204 || status === 304) return false;
  const encoding = rawHeader(headers, 'content-encoding');
  if (encoding && encoding.trim().toLowerCase() !== 'identity') return false;
  if (/\bno-transform\b/i.test(rawHeader(headers, 'cache-control') ?? '')) return false;
  const length = rawHeader(headers, 'content-length');
  if (length !== undefined && Number(length) < minCompressedLength) return false;
  return isCompressible(rawHeader(headers, 'content-type'));
}

/** Adds accept-encoding to Vary, merged into the values already there. */
function addVary(headers: string[]): void {
  const values: string[] = [];
  for (let i = 0; i < headers.length; i += 2)
    if (headers[i]!.toLowerCase() === 'vary') values.push(...headers[i + 1]!.split(','));
  const names = values.map((v) => v.trim()).filter(Boolean);
  if (names.some((n) => n === '*' || n.toLowerCase() === 'accept-encoding')) return;
  setRawHeader(headers, 'vary', [...names, 'Accept-Encoding'].join(', '));
}
