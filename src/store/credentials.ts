/**
 * Credentials: the authtokens agents present when they start a tunnel session. Only the hash
 * of a token's secret is stored, so the token is returned once, by `create`.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Account } from './accounts.ts';
import { requireAccount } from './account-ref.ts';
import { newId } from './ids.ts';
import type { CredentialsTable, Database } from './schema.ts';
import { Secret } from './secret.ts';
import { rfc3339 } from './timestamps.ts';
import { makeToken, parseToken, verifySecret } from './token-hash.ts';

/** Id prefix of credentials. */
export const CREDENTIAL_PREFIX = 'cr';

export interface Credential {
  /** `cr_…` */
  id: string;
  account_id: string;
  /** Free text, '' when unset. */
  description: string;
  /** Free text, '' when unset. */
  metadata: string;
  /** ACL rules such as `bind:*.example.com`; empty allows everything. */
  acl: string[];
  /** RFC 3339 UTC. */
  created_at: string;
}

export interface CredentialCreate {
  description?: string;
  metadata?: string;
  acl?: string[];
}

export class Credentials {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Creates a credential; `token` is the only copy of the authtoken. ERR_STORE_NOT_FOUND for an unknown account. */
  async create(accountId: string, fields: CredentialCreate = {}): Promise<{ credential: Credential; token: Secret }> {
    const id = newId(CREDENTIAL_PREFIX);
    const { token, hash } = makeToken(id);
    const credential: Credential = {
      id, account_id: accountId, description: fields.description ?? '', metadata: fields.metadata ?? '',
      acl: [...(fields.acl ?? [])], created_at: rfc3339(),
    };
    await requireAccount(this.#db, accountId, () =>
      this.#db.insertInto('credentials').values({ ...credential, acl: JSON.stringify(credential.acl), token_hash: hash }).execute());
    return { credential, token: new Secret(token) };
  }

  /** The credential and its account when `token` is valid; undefined otherwise. */
  async authenticate(token: string): Promise<{ credential: Credential; account: Account } | undefined> {
    const parts = parseToken(token);
    if (!parts) return undefined;
    const row = await this.#db.selectFrom('credentials')
      .innerJoin('accounts', 'accounts.id', 'credentials.account_id')
      .selectAll('credentials')
      .select(['accounts.name as account_name', 'accounts.created_at as account_created_at'])
      .where('credentials.id', '=', `${CREDENTIAL_PREFIX}_${parts.idBody}`)
      .executeTakeFirst();
    if (!row || !verifySecret(parts.secret, row.token_hash)) return undefined;
    const account: Account = { id: row.account_id, name: row.account_name, created_at: row.account_created_at };
    return { credential: toCredential(row), account };
  }

  async get(accountId: string, id: string): Promise<Credential | undefined> {
    const row = await this.#db.selectFrom('credentials').selectAll()
      .where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row && toCredential(row);
  }

  /** The account's credentials, newest first; `page` limits them to `limit` created before `beforeId`. */
  async list(accountId: string, page?: { limit: number; beforeId?: string }): Promise<Credential[]> {
    let q = this.#db.selectFrom('credentials').selectAll().where('account_id', '=', accountId);
    if (page?.beforeId) q = q.where('id', '<', page.beforeId);
    if (page) q = q.limit(page.limit);
    const rows = await q.orderBy('id', 'desc').execute();
    return rows.map(toCredential);
  }

  /** Changes the given fields; the updated credential, or undefined when the account has no such credential. */
  async update(accountId: string, id: string, fields: CredentialCreate): Promise<Credential | undefined> {
    const set = {
      ...(fields.description !== undefined && { description: fields.description }),
      ...(fields.metadata !== undefined && { metadata: fields.metadata }),
      ...(fields.acl !== undefined && { acl: JSON.stringify(fields.acl) }),
    };
    if (Object.keys(set).length > 0) {
      await this.#db.updateTable('credentials').set(set).where('account_id', '=', accountId).where('id', '=', id).execute();
    }
    return this.get(accountId, id);
  }

  /** False when the account has no such credential. */
  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('credentials')
      .where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

function toCredential(row: Selectable<CredentialsTable>): Credential {
  const { id, account_id, description, metadata, acl, created_at } = row;
  return { id, account_id, description, metadata, acl: JSON.parse(acl) as string[], created_at };
}
