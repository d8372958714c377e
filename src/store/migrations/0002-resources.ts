/**
 * Control-plane resources (edges, routes, backends, reserved domains and addresses,
 * certificates, IP policies, event subscriptions…) as JSON documents in one table. `key` holds
 * the globally unique name of the kinds that have one (a reserved domain's name, a reserved
 * address), so uniqueness across accounts is a database constraint.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key', 'text')
    .addColumn('doc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('resources_account_kind_id')
    .on('resources')
    .columns(['account_id', 'kind', 'id'])
    .execute();
  await db.schema.createIndex('resources_kind_key').on('resources').columns(['kind', 'key']).unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('resources').execute();
}
