/**
 * A route whose `match` names a host ("app.example.com/blog") applies only to requests for that
 * host, and only requests for the edge's hostports reach the edge: a route naming a host no
 * hostport serves could never be chosen, so it is refused rather than stored to do nothing.
 */
import { isUnderWildcard, normalizeHostname } from '../../../config/names/hostname.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { ApiError } from '../../errors.ts';

/** The host a route's match names when none of `hostports` serves it; undefined otherwise. */
function unservedHost(match: string, hostports: readonly string[]): string | undefined {
  if (match.startsWith('/')) return undefined;
  const slash = match.indexOf('/');
  const host = slash < 0 ? match : match.slice(0, slash);
  const serves = (hostport: string) => {
    const name = normalizeHostname(hostport.slice(0, hostport.lastIndexOf(':')));
    return name === host || isUnderWildcard(host, name);
  };
  return hostports.some(serves) ? undefined : host;
}

/** Refuses a route whose match names a host none of `hostports` serves. */
export function checkRouteHost(route: { match: string }, hostports: readonly string[]): void {
  const host = unservedHost(route.match, hostports);
  if (host)
    throw new ApiError(
      ErrorCode.ERR_ROUTE_MATCH_HOST_NOT_SERVED,
      `match: "${host}" is not one of this edge's hostports (${hostports.join(', ') || 'none'})`,
      { field: 'match' },
    );
}

/** Refuses new `hostports` that would leave a route's match naming a host the edge no longer serves. */
export function checkRouteHosts(
  routes: ReadonlyArray<{ id: string; match: string }>,
  hostports: readonly string[],
): void {
  const stranded = routes.find((route) => unservedHost(route.match, hostports));
  if (stranded)
    throw new ApiError(
      ErrorCode.ERR_ROUTE_MATCH_HOST_NOT_SERVED,
      `hostports: route ${stranded.id} matches "${stranded.match}", whose host these hostports do not serve; change or delete the route first`,
      { field: 'hostports' },
    );
}
