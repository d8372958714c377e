/** Accounts: the owners of credentials, API keys and every configuration record. */
import type { Kysely } from 'kysely';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { ACCOUNT_KIND, type StoreChanges } from './changes.ts';
import { constraintViolation } from './dialect.ts';
import { newId } from './ids.ts';
import type { Database } from './schema.ts';
import { rfc3339 } from './timestamps.ts';

export interface Account {
  /** `acct_…` */
  id: string;
  /** Unique among accounts. */
  name: string;
  /** RFC 3339 UTC. */
  created_at: string;
}

export class Accounts {
  readonly #db: Kysely<Database>;
  readonly #changes: StoreChanges;

  constructor(db: Kysely<Database>, changes: StoreChanges) {
    this.#db = db;
    this.#changes = changes;
  }

  /** Creates an account; throws ERR_STORE_CONFLICT when the name is taken. */
  async create(name: string): Promise<Account> {
    const account: Account = { id: newId('acct'), name, created_at: rfc3339() };
    try {
      await this.#db.insertInto('accounts').values(account).execute();
    } catch (err) {
      if (constraintViolation(err) === 'unique')
        throw new PorticoError(ErrorCode.ERR_STORE_CONFLICT, `account ${name}`, { cause: err });
      throw err;
    }
    return account;
  }

  async get(id: string): Promise<Account | undefined> {
    return this.#db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByName(name: string): Promise<Account | undefined> {
    return this.#db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** Every account, newest first. */
  async list(): Promise<Account[]> {
    return this.#db.selectFrom('accounts').selectAll().orderBy('id', 'desc').execute();
  }

  /**
   * Deletes the account with its credentials, API keys and resources; false when it did not
   * exist. Announced as one change of ACCOUNT_KIND: edges drop its endpoints and end its agents.
   */
  async delete(id: string): Promise<boolean> {
    const change = { op: 'deleted', kind: ACCOUNT_KIND, id, accountId: id } as const;
    // The foreign keys cascade too; deleting explicitly keeps this true on any engine setting.
    const deleted = await this.#db.transaction().execute(async (tx) => {
      await tx.deleteFrom('credentials').where('account_id', '=', id).execute();
      await tx.deleteFrom('api_keys').where('account_id', '=', id).execute();
      await tx.deleteFrom('account_limits').where('account_id', '=', id).execute();
      await tx.deleteFrom('resources').where('account_id', '=', id).execute();
      const result = await tx.deleteFrom('accounts').where('id', '=', id).executeTakeFirst();
      const gone = result.numDeletedRows > 0n;
      if (gone) await this.#changes.record(tx, change);
      return gone;
    });
    if (deleted) this.#changes.announce(change);
    return deleted;
  }
}
