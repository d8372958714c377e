/** Timestamps as the store and the API keep them. */

/** `date` (a Date or milliseconds) as RFC 3339 UTC with second precision, e.g. `2025-01-14T10:06:43Z`. */
export function rfc3339(date: Date | number = new Date()): string {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
