/** Timestamps as the store and the API keep them. */

/** `date` as RFC 3339 UTC with second precision, e.g. `2025-01-14T10:06:43Z`. */
export function rfc3339(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
