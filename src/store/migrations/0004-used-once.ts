/**
 * Keys that may be used once until they expire (src/store/used-once.ts): SAML assertion ids
 * already used to log in, so that a replay is refused after a restart and on every edge sharing
 * the store.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('used_once')
    .addColumn('key', 'text', (c) => c.primaryKey())
    // Milliseconds since the epoch (a double: PostgreSQL's driver returns bigint as text).
    .addColumn('expires_at', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('used_once_expires_at').on('used_once').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('used_once').execute();
}
