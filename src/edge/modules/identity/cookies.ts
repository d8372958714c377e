/** The Cookie request header read, and Set-Cookie values written, for the identity cookies. */

/** The cookies of a `Cookie` header by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    if (name && !out.has(name)) out.set(name, pair.slice(eq + 1).trim());
  }
  return out;
}

/** `header` without the cookies `drop` names (undefined when none is left). */
export function withoutCookies(header: string, drop: (name: string) => boolean): string | undefined {
  const kept = header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p && !drop(p.slice(0, Math.max(p.indexOf('='), 0)).trim()));
  return kept.length ? kept.join('; ') : undefined;
}

/**
 * A Set-Cookie value: HttpOnly, SameSite=Lax (sent on the provider's top-level redirect back),
 * Path=/, and Secure when the endpoint is https. `maxAgeS` 0 deletes the cookie. `crossSitePost`
 * makes it SameSite=None on https, so it comes with a provider's cross-site form POST (SAML).
 */
export function setCookie(
  name: string,
  value: string,
  maxAgeS: number,
  secure: boolean,
  crossSitePost = false,
): string {
  const sameSite = crossSitePost && secure ? 'None' : 'Lax';
  return `${name}=${value}; Max-Age=${maxAgeS}; Path=/; HttpOnly;${secure ? ' Secure;' : ''} SameSite=${sameSite}`;
}
