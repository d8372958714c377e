/** API keys: the bearer tokens of the REST API (token handling in token-records.ts). */
import type { Kysely } from 'kysely';
import type { Account } from './accounts.ts';
import type { Database } from './schema.ts';
import type { Secret } from './secret.ts';
import { TokenRecords, type TokenFields, type TokenRecord, type TokenRow } from './token-records.ts';

/** Id prefix of API keys. */
export const API_KEY_PREFIX = 'ak';

/** An API key (`ak_…`). */
export type ApiKey = TokenRecord;
export type ApiKeyCreate = TokenFields;

export class ApiKeys extends TokenRecords<ApiKey, ApiKeyCreate> {
  constructor(db: Kysely<Database>) {
    super(db, 'api_keys', API_KEY_PREFIX);
  }

  /** Creates an API key; `token` is the only copy. ERR_STORE_NOT_FOUND for an unknown account. */
  async create(accountId: string, fields: ApiKeyCreate = {}): Promise<{ apiKey: ApiKey; token: Secret }> {
    const { record, token } = await this.createRecord(accountId, fields);
    return { apiKey: record, token };
  }

  /** The API key and its account when `token` is valid; undefined otherwise. */
  async authenticate(token: string): Promise<{ apiKey: ApiKey; account: Account } | undefined> {
    const hit = await this.authenticateRecord(token);
    return hit && { apiKey: hit.record, account: hit.account };
  }

  protected fromRow(row: TokenRow): ApiKey {
    const { id, account_id, description, metadata, created_at } = row;
    return { id, account_id, description, metadata, created_at };
  }

  protected extraColumns(): Partial<TokenRow> {
    return {};
  }
}
