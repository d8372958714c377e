/** Settings: small string values the edge keeps between runs (e.g. the bootstrap account id). */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export class Settings {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The value of `key`, or undefined when it was never set. */
  async get(key: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  /** Sets `key` to `value`, replacing any earlier value. */
  async set(key: string, value: string): Promise<void> {
    await this.#db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
