import { EventEmitter } from 'node:events';
import type { Logger } from '../../log/logger.ts';
import type { Store } from '../../store/store.ts';
import type { BackendDeps } from '../backends/backend.ts';
import { compileSnapshot, snapshotKinds } from './compile.ts';
import { Snapshot } from './snapshot.ts';

/**
 * Keeps `current` in step with the store: loads at start, recompiles after every change the
 * store announces (changes that arrive together are compiled once), and swaps the new
 * snapshot in atomically. Emits `swap` (next, previous) after each swap.
 */
export class SnapshotSource extends EventEmitter<{ swap: [Snapshot, Snapshot] }> {
  current: Snapshot = Snapshot.empty();
  private pending: Promise<void> | undefined;
  private dirty = false;
  private readonly onChange = (change: { kind: string }) => {
    if ((snapshotKinds as readonly string[]).includes(change.kind)) this.schedule();
  };

  constructor(
    private readonly store: Store,
    private readonly deps: BackendDeps,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Compiles the first snapshot and starts following changes. */
  async start(): Promise<void> {
    this.store.resources.changes.on('change', this.onChange);
    await this.rebuild();
  }

  stop(): void {
    this.store.resources.changes.off('change', this.onChange);
  }

  /** Resolves once every change announced so far is in `current`. */
  async settled(): Promise<void> {
    while (this.pending) await this.pending;
  }

  private schedule(): void {
    this.dirty = true;
    this.pending ??= (async () => {
      // Let changes made in the same tick (an edge and its routes) land in one snapshot.
      await new Promise((r) => setImmediate(r));
      while (this.dirty) {
        this.dirty = false;
        await this.rebuild();
      }
      this.pending = undefined;
    })();
  }

  private async rebuild(): Promise<void> {
    try {
      const records = await this.store.resources.all([...snapshotKinds]);
      const previous = this.current;
      const next = compileSnapshot(records, previous, this.deps);
      this.current = next;
      for (const [id, reason] of next.errors) this.logger.warn('configuration did not compile; the previous version stays live', { id, reason });
      this.emit('swap', next, previous);
    } catch (err) {
      this.logger.error('could not compile the configuration', { err });
    }
  }
}
