/**
 * API keys: the bearer tokens of the REST API. Only the hash of a key's secret is stored, so
 * the token is returned once, by `create`.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Account } from './accounts.ts';
import { requireAccount } from './account-ref.ts';
import { newId } from './ids.ts';
import type { ApiKeysTable, Database } from './schema.ts';
import { Secret } from './secret.ts';
import { rfc3339 } from './timestamps.ts';
import { makeToken, parseToken, verifySecret } from './token-hash.ts';

/** Id prefix of API keys. */
export const API_KEY_PREFIX = 'ak';

export interface ApiKey {
  /** `ak_…` */
  id: string;
  account_id: string;
  /** Free text, '' when unset. */
  description: string;
  /** Free text, '' when unset. */
  metadata: string;
  /** RFC 3339 UTC. */
  created_at: string;
}

export interface ApiKeyCreate {
  description?: string;
  metadata?: string;
}

export class ApiKeys {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Creates an API key; `token` is the only copy. ERR_STORE_NOT_FOUND for an unknown account. */
  async create(accountId: string, fields: ApiKeyCreate = {}): Promise<{ apiKey: ApiKey; token: Secret }> {
    const id = newId(API_KEY_PREFIX);
    const { token, hash } = makeToken(id);
    const apiKey: ApiKey = {
      id, account_id: accountId, description: fields.description ?? '', metadata: fields.metadata ?? '', created_at: rfc3339(),
    };
    await requireAccount(this.#db, accountId, () =>
      this.#db.insertInto('api_keys').values({ ...apiKey, token_hash: hash }).execute());
    return { apiKey, token: new Secret(token) };
  }

  /** The API key and its account when `token` is valid; undefined otherwise. */
  async authenticate(token: string): Promise<{ apiKey: ApiKey; account: Account } | undefined> {
    const parts = parseToken(token);
    if (!parts) return undefined;
    const row = await this.#db.selectFrom('api_keys')
      .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
      .selectAll('api_keys')
      .select(['accounts.name as account_name', 'accounts.created_at as account_created_at'])
      .where('api_keys.id', '=', `${API_KEY_PREFIX}_${parts.idBody}`)
      .executeTakeFirst();
    if (!row || !verifySecret(parts.secret, row.token_hash)) return undefined;
    const account: Account = { id: row.account_id, name: row.account_name, created_at: row.account_created_at };
    return { apiKey: toApiKey(row), account };
  }

  async get(accountId: string, id: string): Promise<ApiKey | undefined> {
    const row = await this.#db.selectFrom('api_keys').selectAll()
      .where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row && toApiKey(row);
  }

  /** The account's API keys, newest first; `page` limits them to `limit` created before `beforeId`. */
  async list(accountId: string, page?: { limit: number; beforeId?: string }): Promise<ApiKey[]> {
    let q = this.#db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId);
    if (page?.beforeId) q = q.where('id', '<', page.beforeId);
    if (page) q = q.limit(page.limit);
    const rows = await q.orderBy('id', 'desc').execute();
    return rows.map(toApiKey);
  }

  /** Changes the given fields; the updated key, or undefined when the account has no such key. */
  async update(accountId: string, id: string, fields: ApiKeyCreate): Promise<ApiKey | undefined> {
    const set = {
      ...(fields.description !== undefined && { description: fields.description }),
      ...(fields.metadata !== undefined && { metadata: fields.metadata }),
    };
    if (Object.keys(set).length > 0) {
      await this.#db.updateTable('api_keys').set(set).where('account_id', '=', accountId).where('id', '=', id).execute();
    }
    return this.get(accountId, id);
  }

  /** False when the account has no such API key. */
  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('api_keys')
      .where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  const { id, account_id, description, metadata, created_at } = row;
  return { id, account_id, description, metadata, created_at };
}
