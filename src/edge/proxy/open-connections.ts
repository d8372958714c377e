import type { AccountRestrictions } from '../../config/ip-rules/account-restrictions.ts';
import type { Logger } from '../../log/logger.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { accountRefuses } from './account-restrictions.ts';
import { clientIpOf } from './client-addr.ts';

/** A public connection as tracked: closed by `destroy`, gone on 'close'. */
interface Connection {
  remoteAddress?: string | undefined;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * The public connections that outlive a request, by account: TCP and TLS connections and
 * WebSockets. A new one is checked against the account's `endpoints` IP restrictions as it
 * comes (account-restrictions.ts); `closeRefused` checks those already open against the
 * restrictions as they now stand, so that one made or tightened later closes them too.
 */
export class OpenConnections {
  readonly #byAccount = new Map<string, Map<Connection, string>>();

  /**
   * Whether the account's `endpoints` IP restrictions let `connection` in (accountRefuses); one
   * let in is tracked until it closes. The caller disconnects one that is not.
   */
  admit(snapshot: Snapshot, accountId: string, connection: Connection, logger: Logger): boolean {
    if (accountRefuses(snapshot, accountId, connection, logger)) return false;
    this.track(accountId, connection);
    return true;
  }

  /** Tracks `connection` of `accountId` until it closes. */
  track(accountId: string, connection: Connection, clientIp = clientIpOf(connection)): void {
    let open = this.#byAccount.get(accountId);
    if (!open) this.#byAccount.set(accountId, (open = new Map<Connection, string>()));
    open.set(connection, clientIp);
    connection.once('close', () => {
      open.delete(connection);
      if (open.size === 0 && this.#byAccount.get(accountId) === open) this.#byAccount.delete(accountId);
    });
  }

  /** Closes the connections whose source their account's `endpoints` restrictions now refuse. */
  closeRefused(restrictions: AccountRestrictions, logger: Logger): void {
    for (const [accountId, open] of this.#byAccount) {
      if (!restrictions.restricts(accountId, 'endpoints')) continue;
      for (const [connection, ip] of open) {
        if (restrictions.admits(accountId, 'endpoints', ip)) continue;
        logger.warn("open connection closed: the account's endpoints IP restriction refuses its source", { ip });
        connection.destroy();
      }
    }
  }
}
