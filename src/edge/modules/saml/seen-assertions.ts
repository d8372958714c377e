/**
 * Assertion ids already used to log in, each kept until its NotOnOrAfter: a SAML response
 * carried to the ACS a second time (replayed) is refused. Kept in the store (UsedOnce), so a
 * replay is refused after the edge restarts and on any edge that shares its database; shared by
 * every route of the edge and across snapshots (ModuleDeps), so a configuration change does not
 * reopen the window.
 */
import { createHash } from 'node:crypto';
import type { UsedOnce } from '../../../store/used-once.ts';

/** Milliseconds an id is kept when the assertion names no NotOnOrAfter. One hour. */
const defaultKeepMs = 3_600_000;

export class SeenAssertions {
  constructor(private readonly usedOnce: UsedOnce) {}

  /** Records `id` of `issuer` until `notOnOrAfter`; false when it was seen already (a replay). */
  firstUse(issuer: string, id: string, notOnOrAfter: number | undefined, now = Date.now()): Promise<boolean> {
    // A digest: a key of fixed length, whatever the IdP's ids hold (PostgreSQL's text takes no NUL).
    const key = `saml:${createHash('sha256')
      .update(JSON.stringify([issuer, id]))
      .digest('hex')}`;
    return this.usedOnce.firstUse(key, notOnOrAfter ?? now + defaultKeepMs, now);
  }
}
