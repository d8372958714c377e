import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/store.ts';
import type { EdgePart } from './parts.ts';

/**
 * Follows what other processes write to the store (src/store/changes.ts), from start to close:
 * `portico account …` run beside this edge, and other edges sharing its database. Their changes
 * reach the snapshot, certificates, event subscriptions and agent sessions within a second.
 */
export function othersChanges(store: Store, logger: Logger): EdgePart {
  let stop: (() => Promise<void>) | undefined;
  return {
    name: "other processes' changes",
    start: async () => {
      stop = await store.changes.followOthers((err) =>
        logger.warn("could not read other processes' changes to the store; trying again", { err }),
      );
    },
    close: async () => stop?.(),
  };
}
