/**
 * Changes to the store, announced to this process and to every other one sharing the database.
 *
 * A write records its change in `store_changes` inside its own transaction and announces it here
 * once committed. Other processes (`portico account …` run beside a running edge, or edges
 * sharing one PostgreSQL database) find it by polling: `followOthers()` reads what others
 * recorded since its last look and announces it as if written here, so whatever follows the
 * store (the snapshot, certificates, event subscriptions, agent sessions) applies it without a
 * restart.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** One committed change: to a resource, or to an account or credential (ACCOUNT_KIND, CREDENTIAL_KIND). */
export interface StoreChange {
  op: 'created' | 'updated' | 'deleted';
  kind: string;
  id: string;
  accountId: string;
}

/** The kind of an account's changes (only `deleted` is recorded): its records of every kind are gone with it. */
export const ACCOUNT_KIND = 'account';
/** The kind of a credential's (authtoken's) changes (only `deleted` is recorded). */
export const CREDENTIAL_KIND = 'credential';

/** Milliseconds between two looks at what other processes wrote. One second. */
const FOLLOW_INTERVAL_MS = 1_000;
/** Recorded changes are kept this long (milliseconds): one hour, far beyond any poll's delay. */
const KEEP_MS = 60 * 60_000;
/** Old changes are deleted at most this often (milliseconds). One minute. */
const SWEEP_EVERY_MS = 60_000;
/**
 * Changes below the highest seen that are read again on each look. PostgreSQL hands out
 * sequence numbers as transactions start, not as they commit: one that committed late would
 * otherwise be skipped. SQLite commits one write at a time, in order.
 */
const LOOK_BACK = 64;
/** Changes read in one look at most; a longer burst is read on at the next. */
const READ_AT_MOST = 1_000;

type Writer = Kysely<Database> | Transaction<Database>;

export class StoreChanges extends EventEmitter<{ change: [StoreChange] }> {
  /** Names this process in the changes it records, so that it does not announce them twice. */
  readonly origin = randomBytes(8).toString('hex');
  readonly #db: Kysely<Database>;
  /** Sequence numbers above `#low` already read (and announced unless this process's own). */
  readonly #seen = new Set<number>();
  /** Changes numbered up to here are not read again. */
  #low = 0;
  #sweptAt = Date.now();

  constructor(db: Kysely<Database>) {
    super();
    this.#db = db;
    this.setMaxListeners(0);
  }

  /** Records `change` with the write it belongs to (pass the write's transaction). */
  async record(tx: Writer, change: StoreChange): Promise<void> {
    await tx
      .insertInto('store_changes')
      .values({
        origin: this.origin,
        op: change.op,
        kind: change.kind,
        id: change.id,
        account_id: change.accountId,
        at: Date.now(),
      })
      .execute();
  }

  /** Announces a committed change to this process's followers. */
  announce(change: StoreChange): void {
    this.emit('change', change);
  }

  /**
   * Announces other processes' changes from now on, looking every `intervalMs`; resolves to a
   * stop function. A failed look (the database briefly unreachable) is retried at the next; the
   * first failure after a success is reported.
   */
  async followOthers(onError: (err: unknown) => void, intervalMs = FOLLOW_INTERVAL_MS): Promise<() => Promise<void>> {
    const latest = await this.#db
      .selectFrom('store_changes')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    this.#low = Number(latest?.seq ?? 0);
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let looking: Promise<void> | undefined;
    let failing = false;
    const look = async () => {
      try {
        await this.#lookOnce();
        failing = false;
      } catch (err) {
        // Reported once per outage, not every second of it.
        if (!failing) onError(err);
        failing = true;
      }
      if (!stopped) timer = setTimeout(next, intervalMs).unref();
    };
    const next = () => void (looking = look());
    timer = setTimeout(next, intervalMs).unref();
    // Stopped before the store closes: a look under way finishes first.
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await looking;
    };
  }

  async #lookOnce(): Promise<void> {
    const rows = await this.#db
      .selectFrom('store_changes')
      .select(['seq', 'origin', 'op', 'kind', 'id', 'account_id'])
      .where('seq', '>', this.#low)
      .orderBy('seq')
      .limit(READ_AT_MOST)
      .execute();
    let high = this.#low;
    for (const row of rows) {
      // PostgreSQL's driver hands a bigserial back as text.
      const seq = Number(row.seq);
      high = Math.max(high, seq);
      if (this.#seen.has(seq)) continue;
      this.#seen.add(seq);
      if (row.origin !== this.origin)
        this.announce({ op: row.op as StoreChange['op'], kind: row.kind, id: row.id, accountId: row.account_id });
    }
    // The last LOOK_BACK numbers stay in view: one given out before them may commit after them.
    if (high - LOOK_BACK > this.#low) this.#low = high - LOOK_BACK;
    for (const seq of this.#seen) if (seq <= this.#low) this.#seen.delete(seq);
    await this.#sweep();
  }

  async #sweep(now = Date.now()): Promise<void> {
    if (now - this.#sweptAt < SWEEP_EVERY_MS) return;
    this.#sweptAt = now;
    await this.#db
      .deleteFrom('store_changes')
      .where('at', '<', now - KEEP_MS)
      .execute();
  }
}
