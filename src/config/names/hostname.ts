/**
 * DNS host names as the edge sees them in SNI, Host headers and certificates.
 * Names are compared after `normalizeHostname`; validation follows RFC 1123.
 */

/** Longest host name in characters, without a trailing dot (RFC 1035). */
const MAX_NAME = 253;
/** Longest label in characters (RFC 1035). */
const MAX_LABEL = 63;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/** Lower-cases `name` and strips one trailing dot: `App.Example.COM.` -> `app.example.com`. */
export function normalizeHostname(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * True when `name` is a DNS host name: RFC 1123 labels (letters, digits, inner hyphens) of
 * 1–63 characters, at most 253 characters in all, no trailing dot, no wildcard. A name whose
 * last label is all digits is refused so that IPv4 literals are not mistaken for names.
 */
export function isValidHostname(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME) return false;
  const labels = name.split('.');
  if (!labels.every((l) => l.length <= MAX_LABEL && LABEL.test(l))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

/** True when `name` is `*.` followed by a valid host name, e.g. `*.example.com`. */
export function isValidWildcard(name: string): boolean {
  return name.startsWith('*.') && name.length <= MAX_NAME && isValidHostname(name.slice(2));
}

/**
 * True when the wildcard `*.x` covers `hostname` (a name, or a narrower wildcard) at any depth:
 * `*.example.com` covers `a.example.com`, `a.b.example.com` and `*.b.example.com`, but not
 * `example.com` itself.
 */
export function isUnderWildcard(hostname: string, wildcard: string): boolean {
  const name = normalizeHostname(hostname);
  const parent = normalizeHostname(wildcard).slice(2);
  return wildcard.startsWith('*.') && name.endsWith(`.${parent}`);
}

/** True when `a` and `b` can name the same host: equal, or one a wildcard covering the other. */
export function namesOverlap(a: string, b: string): boolean {
  return normalizeHostname(a) === normalizeHostname(b) || isUnderWildcard(a, b) || isUnderWildcard(b, a);
}
