import type { Logger } from '../../log/logger.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { clientIpOf } from './client-addr.ts';

/**
 * Whether the account's `endpoints` IP restrictions (`/ip_restrictions`) refuse the client of
 * `socket`, at any endpoint of the account: its agent endpoints and its edges. One that is not
 * enforced but would refuse it is logged as a warning instead.
 */
export function accountRefuses(
  snapshot: Snapshot,
  accountId: string,
  socket: { remoteAddress?: string | undefined },
  logger: Logger,
): boolean {
  const { restrictions } = snapshot;
  if (!restrictions.restricts(accountId, 'endpoints')) return false;
  return !restrictions.admits(accountId, 'endpoints', clientIpOf(socket), (message, fields) =>
    logger.warn(message, fields),
  );
}
