/**
 * The store's migrations, in order. Names sort in the order they run; a migration that has
 * shipped is never edited or renamed, only followed by a new one.
 */
import { Migrator, type Kysely, type Migration, type MigrationResult } from 'kysely';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { Database } from '../schema.ts';
import * as initial from './0001-initial.ts';
import * as resources from './0002-resources.ts';
import * as accountLimits from './0003-account-limits.ts';
import * as usedOnce from './0004-used-once.ts';
import * as storeChanges from './0005-store-changes.ts';

export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-resources': resources,
  '0003-account-limits': accountLimits,
  '0004-used-once': usedOnce,
  '0005-store-changes': storeChanges,
};

/**
 * Brings the schema to the latest migration; returns what ran (empty when already current).
 * `where` names the database in the error (a path, or a URL without its password).
 */
export async function migrate(db: Kysely<Database>, where = 'database'): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    nameComparator: byCodeUnits,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- whatever a migration threw, as text.
    const message = error instanceof Error ? error.message : String(error);
    throw new PorticoError(
      ErrorCode.ERR_STORE_OPEN,
      `${where}: migration ${failed(results) ?? 'setup'} failed: ${message}`,
      { cause: error },
    );
  }
  return results;
}

/**
 * Names compared by their code units, as `Array.prototype.sort` orders them. Kysely's default,
 * `localeCompare`, loads ICU's collator: 2-3 MiB of the edge's idle memory (issue 13).
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function failed(results: MigrationResult[]): string | undefined {
  return results.find((r) => r.status === 'Error')?.migrationName;
}
