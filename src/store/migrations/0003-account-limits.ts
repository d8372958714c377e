/**
 * Per-account limits the operator sets (`portico account limits`). One row per account that
 * has any; a NULL column means "the edge's default" (src/store/account-limits.ts).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('account_limits')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('max_reserved_domains', 'integer')
    .addColumn('max_reserved_addrs', 'integer')
    .addColumn('max_tunnels_per_session', 'integer')
    .addColumn('max_sessions', 'integer')
    .addColumn('max_api_requests_per_minute', 'integer')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_limits').execute();
}
