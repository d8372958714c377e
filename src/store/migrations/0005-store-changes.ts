/**
 * Changes written to the store, in order, so that every process sharing the database can follow
 * the others' (src/store/changes.ts). Rows older than an hour are deleted as edges read on.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('store_changes')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    // Milliseconds since the epoch (a double: PostgreSQL's driver returns bigint as text).
    .addColumn('at', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('store_changes_at').on('store_changes').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('store_changes').execute();
}
