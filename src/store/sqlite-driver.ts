/**
 * The SQLite driver, better-sqlite3, in the build that is safe on the running Node:
 * - Node ≥ 22: 13.x (installed as `better-sqlite3-napi`), built on Node-API. 12.x must not run
 *   there: on Node 24 its statements' destructors assert inside Node when the garbage collector
 *   frees them (`RemoveEnvironmentCleanupHook: (env) != nullptr`), aborting the process.
 * - Node 20: 12.x, compiled at install; 13.x crashes on load there.
 * Both have the same API.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);

export const SqliteDatabase = require(major >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3') as typeof BetterSqlite3;
