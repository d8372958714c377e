/**
 * Records identified by a bearer token (credentials, API keys): the token is
 * `<id body>_<secret>`, only the secret's hash is stored, and it is shown once, by `create`.
 * The two tables differ only in their extra columns; this class holds everything else.
 */
import type { Kysely } from 'kysely';
import type { Account } from './accounts.ts';
import type { StoreChanges } from './changes.ts';
import { requireAccount } from './account-ref.ts';
import { newId } from './ids.ts';
import type { ApiKeysTable, Database } from './schema.ts';
import { Secret } from './secret.ts';
import { rfc3339 } from './timestamps.ts';
import { makeToken, parseToken, verifySecret } from './token-hash.ts';

/** The columns both token tables have, plus the extras of either (credentials' `acl`). */
export type TokenRow = ApiKeysTable & { acl?: string };
type TokenTable = 'credentials' | 'api_keys';
// Both tables share these columns; the union table name keeps Kysely's checks on them.
type TokenDb = Kysely<Record<TokenTable, TokenRow> & Pick<Database, 'accounts'>>;

/** What every token record has. */
export interface TokenRecord {
  id: string;
  account_id: string;
  /** Free text, '' when unset. */
  description: string;
  /** Free text, '' when unset. */
  metadata: string;
  /** RFC 3339 UTC. */
  created_at: string;
}

export interface TokenFields {
  description?: string;
  metadata?: string;
}

export abstract class TokenRecords<R extends TokenRecord, F extends TokenFields> {
  readonly #db: TokenDb;
  readonly #accounts: Kysely<Database>;

  protected constructor(
    db: Kysely<Database>,
    private readonly table: TokenTable,
    private readonly prefix: string,
    /** Announces deletions as changes of this kind (credentials: agent sessions end with them). */
    private readonly announced?: { changes: StoreChanges; kind: string },
  ) {
    this.#accounts = db;
    this.#db = db as unknown as TokenDb;
  }

  /** The record as stored in a row. */
  protected abstract fromRow(row: TokenRow): R;
  /** The table's own columns for `fields` (only those given, for updates). */
  protected abstract extraColumns(fields: F): Partial<TokenRow>;

  /** Creates a record; `token` is the only copy. ERR_STORE_NOT_FOUND for an unknown account. */
  async createRecord(accountId: string, fields: F): Promise<{ record: R; token: Secret }> {
    const id = newId(this.prefix);
    const { token, hash } = makeToken(id);
    const row: TokenRow = {
      id,
      account_id: accountId,
      description: fields.description ?? '',
      metadata: fields.metadata ?? '',
      created_at: rfc3339(),
      token_hash: hash,
      ...this.extraColumns(fields),
    };
    await requireAccount(this.#accounts, accountId, () => this.#db.insertInto(this.table).values(row).execute());
    return { record: this.fromRow(row), token: new Secret(token) };
  }

  /** The record and its account when `token` is valid; undefined otherwise. */
  protected async authenticateRecord(token: string): Promise<{ record: R; account: Account } | undefined> {
    const parts = parseToken(token);
    if (!parts) return undefined;
    const row = await this.#db
      .selectFrom(this.table)
      .innerJoin('accounts', 'accounts.id', `${this.table}.account_id`)
      .selectAll(this.table)
      .select(['accounts.name as account_name', 'accounts.created_at as account_created_at'])
      .where(`${this.table}.id`, '=', `${this.prefix}_${parts.idBody}`)
      .executeTakeFirst();
    if (!row || !verifySecret(parts.secret, row.token_hash)) return undefined;
    const account: Account = { id: row.account_id, name: row.account_name, created_at: row.account_created_at };
    return { record: this.fromRow(row), account };
  }

  async get(accountId: string, id: string): Promise<R | undefined> {
    const row = await this.#db
      .selectFrom(this.table)
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && this.fromRow(row);
  }

  /** The account's records, newest first; `page` limits them to `limit` created before `beforeId`. */
  async list(accountId: string, page?: { limit: number; beforeId?: string }): Promise<R[]> {
    let q = this.#db.selectFrom(this.table).selectAll().where('account_id', '=', accountId);
    if (page?.beforeId) q = q.where('id', '<', page.beforeId);
    if (page) q = q.limit(page.limit);
    const rows = await q.orderBy('id', 'desc').execute();
    return rows.map((row) => this.fromRow(row));
  }

  /** Changes the given fields; the updated record, or undefined when the account has no such record. */
  async update(accountId: string, id: string, fields: F): Promise<R | undefined> {
    const set: Partial<TokenRow> = {
      ...(fields.description !== undefined && { description: fields.description }),
      ...(fields.metadata !== undefined && { metadata: fields.metadata }),
      ...this.extraColumns(fields),
    };
    if (Object.keys(set).length > 0) {
      await this.#db
        .updateTable(this.table)
        .set(set)
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .execute();
    }
    return this.get(accountId, id);
  }

  /** False when the account has no such record. */
  async delete(accountId: string, id: string): Promise<boolean> {
    const announced = this.announced;
    if (!announced) return this.#deleteRow(this.#db, accountId, id);
    const change = { op: 'deleted', kind: announced.kind, id, accountId } as const;
    const deleted = await this.#accounts.transaction().execute(async (tx) => {
      const gone = await this.#deleteRow(tx as unknown as TokenDb, accountId, id);
      if (gone) await announced.changes.record(tx, change);
      return gone;
    });
    if (deleted) announced.changes.announce(change);
    return deleted;
  }

  async #deleteRow(db: TokenDb, accountId: string, id: string): Promise<boolean> {
    const result = await db
      .deleteFrom(this.table)
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
