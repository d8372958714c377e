/**
 * Which reserved names and ports an agent's account may bind, read from the store on each
 * bind (binds are rare; no cache to invalidate). The data plane asks this on every bind.
 */
import type { Store } from '../../store/store.ts';
import { reservationOfPort } from './addrs.ts';
import { ownsHostname, reservedByOther } from './hostnames.ts';

/** Who reserved a TCP port: the binding account, another account, or nobody. */
export type AddrHolder = 'own' | 'other' | 'none';

/** Decides which reserved names and ports an account may bind. */
export interface Reservations {
  /** True when `accountId` holds `hostname` (exactly, or under one of its wildcards). */
  mayBindHostname(accountId: string, hostname: string): Promise<boolean>;
  /** True when another account holds `hostname` exactly or by a wildcard: refused even under --domain. */
  heldByOther(accountId: string, hostname: string): Promise<boolean>;
  /** Who reserved TCP port `port` (on any host). */
  addrHolder(accountId: string, port: number): Promise<AddrHolder>;
}

/** No reservations at all: only names under --domain are free (for tests without a store). */
export const noReservations: Reservations = {
  mayBindHostname: async () => false,
  heldByOther: async () => false,
  addrHolder: async () => 'none',
};

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
