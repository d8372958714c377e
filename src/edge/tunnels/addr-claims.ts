import { createHmac, timingSafeEqual } from 'node:crypto';
import { encodeIdChars, newId } from '../../store/ids.ts';

/**
 * Proof that the edge gave a random TCP address to an account (docs/protocol.md §8.3).
 * Explicit addresses must be reserved (as on ngrok), yet an agent replays the address it was
 * given when it reconnects, also after an edge restart that forgot every assignment. So the
 * tunnel id of a random TCP bind carries an HMAC of the account and port under the edge's
 * secret in its random part; the SDKs bind again with that id, and the edge checks it
 * instead of remembering.
 */
export class AddrClaims {
  constructor(private readonly secret: Buffer) {}

  /** A tunnel id (`tn_…`, a valid time-sortable id) that claims `port` for `accountId`. */
  issue(accountId: string, port: number): string {
    const time = newId('tn').slice(3, 13);
    return `tn_${time}${this.mac(time, accountId, port)}`;
  }

  /** True when `tunnelId` was issued for this account and port. */
  verify(tunnelId: string, accountId: string, port: number): boolean {
    const m = /^tn_([0-9a-z]{10})([0-9a-z]{17})$/.exec(tunnelId);
    if (!m) return false;
    const expected = Buffer.from(this.mac(m[1]!, accountId, port));
    return timingSafeEqual(Buffer.from(m[2]!), expected);
  }

  private mac(time: string, accountId: string, port: number): string {
    const digest = createHmac('sha256', this.secret).update(`tcp\n${time}\n${accountId}\n${port}`).digest();
    // 85 bits of the MAC, as the 17 characters an id's random part has.
    return encodeIdChars(BigInt(`0x${digest.subarray(0, 11).toString('hex')}`) >> 3n, 17);
  }
}
