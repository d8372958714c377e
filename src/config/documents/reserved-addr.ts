import type { CommonDoc } from './common.ts';

/** The store kind of reserved TCP addresses; their key is `addr` ("host:port"). */
export const reservedAddrKind = 'reserved_addr';

/** A reserved TCP address as stored. */
export interface ReservedAddrDoc extends CommonDoc {
  /** "host:port", chosen by the edge from --tcp-ports. */
  addr: string;
  region: string;
}
