import type { ResourceRecord } from '../../store/resources.ts';
import type { Store } from '../../store/store.ts';
import { reservedAddrKind, type ReservedAddrDoc } from '../documents/reserved-addr.ts';

/** The reservation of `port` on any host, whoever holds it. */
export async function reservationOfPort(
  store: Store,
  port: number,
): Promise<ResourceRecord<ReservedAddrDoc> | undefined> {
  return (await store.resources.listByKeySuffix<ReservedAddrDoc>(reservedAddrKind, `:${port}`))[0];
}
