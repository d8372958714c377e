/**
 * Control-plane resources stored as JSON documents, scoped by account. Every write records its
 * change with it and announces it once committed (changes.ts), which the data plane follows.
 */
import type { Kysely } from 'kysely';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { StoreChange, StoreChanges } from './changes.ts';
import { constraintViolation } from './dialect.ts';
import { newId } from './ids.ts';
import type { Database } from './schema.ts';
import { rfc3339 } from './timestamps.ts';

export type Doc = Record<string, unknown>;

export interface ResourceRecord<T extends Doc = Doc> {
  id: string;
  account_id: string;
  kind: string;
  /** Globally unique name (reserved domain, reserved address) or null. */
  key: string | null;
  created_at: string;
  doc: T;
}

export interface ListOptions {
  /** At most this many, newest first. */
  limit: number;
  /** Only records created before this id (ids sort by creation time). */
  beforeId?: string;
}

type Row = Database['resources'];

function toRecord<T extends Doc>(row: Row): ResourceRecord<T> {
  return {
    id: row.id,
    account_id: row.account_id,
    kind: row.kind,
    key: row.key,
    created_at: row.created_at,
    doc: JSON.parse(row.doc) as T,
  };
}

export class Resources {
  readonly #db: Kysely<Database>;
  readonly #changes: StoreChanges;

  constructor(db: Kysely<Database>, changes: StoreChanges) {
    this.#db = db;
    this.#changes = changes;
  }

  /** Creates a record; `key` must be unique within the kind (ERR_STORE_CONFLICT otherwise). */
  async create<T extends Doc>(
    accountId: string,
    kind: string,
    prefix: string,
    doc: T,
    key: string | null = null,
  ): Promise<ResourceRecord<T>> {
    const row: Row = {
      id: newId(prefix),
      account_id: accountId,
      kind,
      key,
      doc: JSON.stringify(doc),
      created_at: rfc3339(),
    };
    try {
      await this.#write({ op: 'created', kind, id: row.id, accountId }, async (tx) => {
        await tx.insertInto('resources').values(row).execute();
        return true;
      });
    } catch (err) {
      if (constraintViolation(err) === 'unique')
        throw new PorticoError(ErrorCode.ERR_STORE_CONFLICT, `${kind} "${key}" already exists`, { cause: err });
      throw err;
    }
    return toRecord<T>(row);
  }

  async get<T extends Doc>(accountId: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined> {
    const row = await this.#db
      .selectFrom('resources')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('kind', '=', kind)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord<T>(row);
  }

  /** A record of any kind by id, still scoped to the account. */
  async getAnyKind<T extends Doc>(accountId: string, id: string): Promise<ResourceRecord<T> | undefined> {
    const row = await this.#db
      .selectFrom('resources')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord<T>(row);
  }

  /** The record of `kind` holding `key`, whichever account owns it. */
  async getByKey<T extends Doc>(kind: string, key: string): Promise<ResourceRecord<T> | undefined> {
    const row = await this.#db
      .selectFrom('resources')
      .selectAll()
      .where('kind', '=', kind)
      .where('key', '=', key)
      .executeTakeFirst();
    return row && toRecord<T>(row);
  }

  // LIKE treats `_` as a wildcard, so the SQL match may over-include; results are re-checked in JS.

  /** Records of `kind` whose key ends with `suffix` (e.g. every name under a wildcard). */
  async listByKeySuffix<T extends Doc>(kind: string, suffix: string): Promise<Array<ResourceRecord<T>>> {
    const rows = await this.#db
      .selectFrom('resources')
      .selectAll()
      .where('kind', '=', kind)
      .where('key', 'like', `%${suffix}`)
      .execute();
    return rows.filter((r) => r.key?.endsWith(suffix)).map((r) => toRecord<T>(r));
  }

  /** One page, newest first, of the account's records of one or more kinds. */
  async list<T extends Doc>(
    accountId: string,
    kinds: string | string[],
    options: ListOptions,
  ): Promise<Array<ResourceRecord<T>>> {
    let q = this.#db
      .selectFrom('resources')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('kind', 'in', ([] as string[]).concat(kinds));
    if (options.beforeId) q = q.where('id', '<', options.beforeId);
    const rows = await q.orderBy('id', 'desc').limit(options.limit).execute();
    return rows.map((r) => toRecord<T>(r));
  }

  /** How many records of `kind` the account has (for its limits). */
  async count(accountId: string, kind: string): Promise<number> {
    const row = await this.#db
      .selectFrom('resources')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('account_id', '=', accountId)
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    // PostgreSQL returns count(*) as a bigint string, SQLite as a number.
    return Number(row.n);
  }

  /** Every record of these kinds, of every account (the snapshot's input) or of `accountId` only. */
  async all<T extends Doc>(kinds: string | string[], accountId?: string): Promise<Array<ResourceRecord<T>>> {
    let query = this.#db
      .selectFrom('resources')
      .selectAll()
      .where('kind', 'in', ([] as string[]).concat(kinds));
    if (accountId !== undefined) query = query.where('account_id', '=', accountId);
    const rows = await query.orderBy('id').execute();
    return rows.map((r) => toRecord<T>(r));
  }

  /** Replaces the document; false when no such record. */
  async update<T extends Doc>(accountId: string, kind: string, id: string, doc: T): Promise<boolean> {
    return this.#write({ op: 'updated', kind, id, accountId }, async (tx) => {
      const result = await tx
        .updateTable('resources')
        .set({ doc: JSON.stringify(doc) })
        .where('account_id', '=', accountId)
        .where('kind', '=', kind)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async delete(accountId: string, kind: string, id: string): Promise<boolean> {
    return this.#write({ op: 'deleted', kind, id, accountId }, async (tx) => {
      const result = await tx
        .deleteFrom('resources')
        .where('account_id', '=', accountId)
        .where('kind', '=', kind)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Runs `write` with its change recorded in one transaction; announces it when it changed a row. */
  async #write(change: StoreChange, write: (tx: Kysely<Database>) => Promise<boolean>): Promise<boolean> {
    const changed = await this.#db.transaction().execute(async (tx) => {
      const hit = await write(tx);
      if (hit) await this.#changes.record(tx, change);
      return hit;
    });
    if (changed) this.#changes.announce(change);
    return changed;
  }

  /**
   * The account's records whose document mentions `needle` (an id, or a quoted name), other
   * than the record itself: what would break if it were deleted. Ids are unique random
   * strings, so a substring match is exact enough.
   */
  async referencing(accountId: string, needle: string, exceptId?: string): Promise<ResourceRecord[]> {
    let q = this.#db
      .selectFrom('resources')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('doc', 'like', `%${needle}%`);
    if (exceptId) q = q.where('id', '!=', exceptId);
    const rows = await q.execute();
    return rows.filter((r) => r.doc.includes(needle)).map((r) => toRecord(r));
  }
}
