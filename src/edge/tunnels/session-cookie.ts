import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Session resumption (docs/protocol.md §8.1): the edge hands an agent a `ClientId` (the
 * tunnel session id) and a `Cookie` that is an HMAC of it under the edge's secret. An agent
 * that reconnects with both keeps its session id, even across edge restarts, and nobody can
 * claim another's id.
 */
export class SessionCookies {
  constructor(private readonly secret: Buffer) {}

  issue(sessionId: string, accountId: string): string {
    return this.mac(sessionId, accountId);
  }

  /** True when `cookie` was issued for this session id and account. */
  verify(sessionId: string, accountId: string, cookie: string): boolean {
    const expected = Buffer.from(this.mac(sessionId, accountId));
    const given = Buffer.from(cookie);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(sessionId: string, accountId: string): string {
    return createHmac('sha256', this.secret).update(`${sessionId}\n${accountId}`).digest('base64url');
  }
}
