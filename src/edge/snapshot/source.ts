import { EventEmitter } from 'node:events';
import type { Logger } from '../../log/logger.ts';
import { StoreFollower } from '../../store/follow.ts';
import type { Store } from '../../store/store.ts';
import { compileSnapshot, snapshotKinds, type SnapshotDeps } from './compile.ts';
import { Snapshot } from './snapshot.ts';

/**
 * Keeps `current` in step with the store: compiles at start and after every change the store
 * announces (changes that arrive together are compiled once), and swaps the new snapshot in
 * atomically. Emits `swap` (next, previous) after each swap.
 */
export class SnapshotSource extends EventEmitter<{ swap: [Snapshot, Snapshot] }> {
  current: Snapshot = Snapshot.empty();
  private readonly follower: StoreFollower;

  constructor(
    private readonly store: Store,
    private readonly deps: SnapshotDeps,
    private readonly logger: Logger,
  ) {
    super();
    this.follower = new StoreFollower(store.changes, snapshotKinds, () => this.rebuild());
  }

  /** Compiles the first snapshot and starts following changes. */
  start(): Promise<void> {
    return this.follower.start();
  }

  stop(): void {
    this.follower.stop();
  }

  /** Resolves once every change announced so far is in `current`. */
  settled(): Promise<void> {
    return this.follower.settled();
  }

  private async rebuild(): Promise<void> {
    try {
      const records = await this.store.resources.all([...snapshotKinds]);
      const previous = this.current;
      const next = compileSnapshot(records, previous, this.deps);
      this.current = next;
      for (const [id, reason] of next.errors)
        this.logger.warn('configuration did not compile; the previous version stays live', { id, reason });
      this.emit('swap', next, previous);
    } catch (err) {
      this.logger.error('could not compile the configuration', { err });
    }
  }
}
