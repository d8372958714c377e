/** Credentials: the authtokens agents present when they start a tunnel session (token handling in token-records.ts). */
import type { Kysely } from 'kysely';
import type { Account } from './accounts.ts';
import { CREDENTIAL_KIND, type StoreChanges } from './changes.ts';
import type { Database } from './schema.ts';
import type { Secret } from './secret.ts';
import { TokenRecords, type TokenFields, type TokenRecord, type TokenRow } from './token-records.ts';

/** Id prefix of credentials. */
export const CREDENTIAL_PREFIX = 'cr';

/** A credential (`cr_…`). */
export interface Credential extends TokenRecord {
  /** ACL rules such as `bind:*.example.com`; empty allows everything. */
  acl: string[];
}

export interface CredentialCreate extends TokenFields {
  acl?: string[];
}

export class Credentials extends TokenRecords<Credential, CredentialCreate> {
  constructor(db: Kysely<Database>, changes: StoreChanges) {
    super(db, 'credentials', CREDENTIAL_PREFIX, { changes, kind: CREDENTIAL_KIND });
  }

  /** Creates a credential; `token` is the only copy of the authtoken. ERR_STORE_NOT_FOUND for an unknown account. */
  async create(accountId: string, fields: CredentialCreate = {}): Promise<{ credential: Credential; token: Secret }> {
    const { record, token } = await this.createRecord(accountId, { ...fields, acl: fields.acl ?? [] });
    return { credential: record, token };
  }

  /** The credential and its account when `token` is valid; undefined otherwise. */
  async authenticate(token: string): Promise<{ credential: Credential; account: Account } | undefined> {
    const hit = await this.authenticateRecord(token);
    return hit && { credential: hit.record, account: hit.account };
  }

  protected fromRow(row: TokenRow): Credential {
    const { id, account_id, description, metadata, created_at } = row;
    return { id, account_id, description, metadata, acl: JSON.parse(row.acl ?? '[]') as string[], created_at };
  }

  protected extraColumns(fields: CredentialCreate): Partial<TokenRow> {
    return fields.acl !== undefined ? { acl: JSON.stringify(fields.acl) } : {};
  }
}
