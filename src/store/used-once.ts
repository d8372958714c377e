/**
 * Keys that may be used once until they expire: the first use of a key is recorded, any later
 * one before its expiry is refused. Kept in the store, so the answer holds after a restart and
 * on every edge that shares the database (SAML assertion ids: src/edge/modules/saml).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Expired keys are deleted at most this often (milliseconds), with a first use. One minute. */
const sweepEveryMs = 60_000;

export class UsedOnce {
  readonly #db: Kysely<Database>;
  #sweptAt = 0;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Records `key` until `expiresAt` (ms since the epoch); false when it is in use already. */
  async firstUse(key: string, expiresAt: number, now = Date.now()): Promise<boolean> {
    if (now - this.#sweptAt >= sweepEveryMs) {
      this.#sweptAt = now;
      await this.#db.deleteFrom('used_once').where('expires_at', '<=', now).execute();
    } else {
      await this.#db.deleteFrom('used_once').where('key', '=', key).where('expires_at', '<=', now).execute();
    }
    const inserted = await this.#db
      .insertInto('used_once')
      .values({ key, expires_at: expiresAt })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    return inserted !== undefined;
  }
}
