/**
 * Assertion ids already used to log in, each kept until its NotOnOrAfter: a SAML response
 * carried to the ACS a second time (replayed) is refused. Shared by every route of the edge
 * and across snapshots (ModuleDeps), so a configuration change does not reopen the window.
 */

/** Ids kept at most; past it the ones expiring first are dropped. 100 000. */
const maxIds = 100_000;
/** Milliseconds an id is kept when the assertion names no NotOnOrAfter. One hour. */
const defaultKeepMs = 3_600_000;

export class SeenAssertions {
  /** Expiry (ms since the epoch) by `<issuer>\0<assertion id>`. */
  private readonly ids = new Map<string, number>();

  /** Records `id` of `issuer` until `notOnOrAfter`; false when it was seen already (a replay). */
  firstUse(issuer: string, id: string, notOnOrAfter: number | undefined, now = Date.now()): boolean {
    const key = `${issuer}\0${id}`;
    const until = this.ids.get(key);
    if (until !== undefined && until > now) return false;
    if (this.ids.size >= maxIds) this.sweep(now);
    this.ids.set(key, notOnOrAfter ?? now + defaultKeepMs);
    return true;
  }

  private sweep(now: number): void {
    for (const [key, until] of this.ids) if (until <= now) this.ids.delete(key);
    // Still full: drop the oldest insertions (Map keeps insertion order).
    for (const key of this.ids.keys()) {
      if (this.ids.size < maxIds * 0.9) break;
      this.ids.delete(key);
    }
  }
}
