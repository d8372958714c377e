/**
 * The stored documents as the compile reads them: edges with their routes and module slots,
 * backends. Slots are null (or absent) when unset; a module with `enabled: false` is off.
 */
import type { IpRestrictionSlot } from '../modules/ip-restriction.ts';

/** A module slot holding a reference to a backend. */
export interface BackendSlot {
  enabled?: boolean;
  backend_id?: string;
}

export interface MutualTlsSlot {
  enabled?: boolean;
  certificate_authority_ids?: string[];
}

export interface TlsTerminationSlot {
  enabled?: boolean;
  terminate_at?: string;
  min_version?: string | null;
}

export interface RouteDocument {
  id: string;
  match_type: string;
  match: string;
  backend?: BackendSlot | null;
  ip_restriction?: IpRestrictionSlot | null;
}

export interface EdgeDocument {
  policy?: { enabled?: boolean } | null;
  hostports?: string[] | null;
  routes?: RouteDocument[];
  backend?: BackendSlot | null;
  ip_restriction?: IpRestrictionSlot | null;
  mutual_tls?: MutualTlsSlot | null;
  tls_termination?: TlsTerminationSlot | null;
}

export interface BackendDocument {
  labels?: Record<string, string>;
  /** Failover: ids in order; weighted: weight by id. */
  backends?: string[] | Record<string, number>;
  body?: string;
  headers?: Record<string, string>;
  status_code?: number;
  /** Static: `host:port` and whether to speak TLS to it. */
  address?: string;
  tls?: { enabled?: boolean };
}

/** True when a module slot is set and not switched off. */
export function isOn<S extends { enabled?: boolean }>(slot: S | null | undefined): slot is S {
  return !!slot && slot.enabled !== false;
}
