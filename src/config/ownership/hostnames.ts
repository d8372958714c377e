/**
 * Who holds a host name: the account that reserved it exactly, or the one whose wildcard
 * covers it. Used by the API (edges' hostports) and the data plane (agent binds).
 */
import type { ResourceRecord } from '../../store/resources.ts';
import type { Store } from '../../store/store.ts';
import { coveringKeys, reservedDomainKind } from '../names/domain-names.ts';

/** The reservations covering `hostname`, most specific first (exact name, then wildcards). */
export async function coveringReservations(store: Store, hostname: string): Promise<ResourceRecord[]> {
  const found: ResourceRecord[] = [];
  for (const key of coveringKeys(hostname)) {
    const record = await store.resources.getByKey(reservedDomainKind, key);
    if (record) found.push(record);
  }
  return found;
}

/**
 * True when `accountId` reserved `hostname` exactly, or reserved a wildcard `*.x` with
 * `hostname` under `x` at any depth (`hostname` may itself be a wildcard).
 */
export async function ownsHostname(store: Store, accountId: string, hostname: string): Promise<boolean> {
  return (await coveringReservations(store, hostname)).some((r) => r.account_id === accountId);
}

/** True when an account other than `accountId` reserved `hostname` or a wildcard covering it. */
export async function reservedByOther(store: Store, accountId: string, hostname: string): Promise<boolean> {
  return (await coveringReservations(store, hostname)).some((r) => r.account_id !== accountId);
}
