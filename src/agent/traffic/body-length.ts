/** The length of a message body as its head announces it (RFC 9112, 6.3). */

/** Digits of a Content-Length the tap takes; longer ones (over 999 TB) are left to the parser. */
const digits = /^\d{1,15}$/;

/**
 * The body length `headers` fix: one Content-Length (or several with the same value) and no
 * Transfer-Encoding; undefined otherwise, when only the parser knows where the body ends.
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
