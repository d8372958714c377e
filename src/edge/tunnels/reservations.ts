/**
 * The data plane's view of reserved domains and addresses: which names and ports an agent's
 * account may bind, read from the store on each bind (binds are rare; no cache to invalidate).
 */
import { reservationOfPort } from '../../api/resources/reserved-addrs.ts';
import { ownsHostname, reservedByOther } from '../../api/resources/reserved-domains/ownership.ts';
import type { Store } from '../../store/store.ts';
import type { AddrHolder, Reservations } from './endpoint-names.ts';

/** Reservations backed by the store's reserved_domain and reserved_addr records. */
export class StoreReservations implements Reservations {
  constructor(private readonly store: Store) {}

  mayBindHostname(accountId: string, hostname: string): Promise<boolean> {
    return ownsHostname(this.store, accountId, hostname);
  }

  heldByOther(accountId: string, hostname: string): Promise<boolean> {
    return reservedByOther(this.store, accountId, hostname);
  }

  async addrHolder(accountId: string, port: number): Promise<AddrHolder> {
    const record = await reservationOfPort(this.store, port);
    if (!record) return 'none';
    return record.account_id === accountId ? 'own' : 'other';
  }
}
