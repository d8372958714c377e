/** A module as stored in an edge or route document; `enabled` is always filled in. */
export interface StoredModule {
  enabled: boolean;
  [field: string]: unknown;
}
