/** Inserting a record that belongs to an account. */
import type { Kysely } from 'kysely';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { constraintViolation } from './dialect.ts';
import type { Database } from './schema.ts';

/**
 * Runs `insert`, turning a missing account into ERR_STORE_NOT_FOUND. The explicit check gives
 * the same answer when foreign keys are not enforced; the constraint covers a concurrent delete.
 */
export async function requireAccount(
  db: Kysely<Database>,
  accountId: string,
  insert: () => Promise<unknown>,
): Promise<void> {
  const found = await db.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
  if (!found) throw new PorticoError(ErrorCode.ERR_STORE_NOT_FOUND, `account ${accountId}`);
  try {
    await insert();
  } catch (err) {
    if (constraintViolation(err) === 'foreign_key')
      throw new PorticoError(ErrorCode.ERR_STORE_NOT_FOUND, `account ${accountId}`, { cause: err });
    throw err;
  }
}
