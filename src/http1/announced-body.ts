/**
 * A message body whose length its head announced (RFC 9112, 6.3), followed past the parser: once
 * a reader has what it needs of the parser's pieces (each one a copy, HttpParser.bodyPieces), the
 * rest of the body is counted from the chunks as they are fed, and a reader that forwards the
 * body takes it from there as slices of those chunks.
 */
import type { HttpParser } from './parser.ts';

/** Digits of a Content-Length taken; a longer one (over 999 TB) is left to the parser. */
const digits = /^\d{1,15}$/;

/**
 * The body length `headers` fix: one Content-Length (or several with the same value) and no
 * Transfer-Encoding; undefined otherwise, when only the parser knows where the body ends. For a
 * response, announcedResponseLength: some have no body whatever their head says.
 */
export function announcedBodyLength(headers: readonly string[]): number | undefined {
  let length: number | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return undefined;
    if (name.length !== 14 || name.toLowerCase() !== 'content-length') continue;
    const value = headers[i + 1]!.trim();
    if (!digits.test(value)) return undefined;
    const n = Number(value);
    if (length !== undefined && length !== n) return undefined;
    length = n;
  }
  return length;
}

/**
 * announcedBodyLength for a final response with `status` to a request with `method`: undefined
 * for those that have no body whatever their length says (to HEAD, a 204, a 304). A 1xx is an
 * interim head, which callers set aside before this.
 */
export function announcedResponseLength(
  method: string,
  status: number,
  headers: readonly string[],
): number | undefined {
  if (method === 'HEAD' || status === 204 || status === 304) return undefined;
  return announcedBodyLength(headers);
}

/** The body of the message `parser` is in, for one message after another. */
export class AnnouncedBody {
  private announced: number | undefined;
  private seen = 0;
  /** True while the parser hands over no pieces: the body's bytes are taken from `passed`. */
  counting = false;

  constructor(private readonly parser: HttpParser) {}

  /** A head was parsed: `announced` is its body's length, or undefined when only the parser knows it. */
  start(announced: number | undefined): void {
    this.announced = announced;
    this.seen = 0;
    this.counting = false;
    this.parser.bodyPieces = true;
  }

  /**
   * The parser handed over a piece of `length` bytes. Unless `keepPieces` (the reader still wants
   * them), the pieces stop there and the rest of an announced body comes through `passed`. The
   * first piece always comes from the parser: it knows where the head ended.
   */
  piece(length: number, keepPieces = false): void {
    this.seen += length;
    if (this.announced === undefined || keepPieces || this.seen >= this.announced) return;
    this.counting = true;
    this.parser.bodyPieces = false;
  }

  /** While counting: the bytes of the body at the start of `chunk`, which is about to be parsed. */
  passed(chunk: Buffer): number {
    const n = Math.min(chunk.length, this.announced! - this.seen);
    this.seen += n;
    if (this.seen === this.announced) this.counting = false;
    return n;
  }

  /** The message ended (the parser's pieces come again for the next one). */
  end(): void {
    this.announced = undefined;
    this.counting = false;
    this.parser.bodyPieces = true;
  }
}
