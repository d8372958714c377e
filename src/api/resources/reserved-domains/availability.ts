/**
 * Whether an account may reserve a name: it is not the edge's own domain or a wildcard over
 * it, nobody holds it yet, no other account's wildcard covers it, (for a wildcard) no other
 * account holds a name under it, and no other account's agent uses it or holds it for a
 * reconnect right now.
 */
import type { Store } from '../../../store/store.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { LiveAgents } from '../../live-agents.ts';
import { ApiError, invalid } from '../../errors.ts';
import { coveringKeys, domainNameProblem, reservedDomainKind } from '../../../config/names/domain-names.ts';
import { normalizeHostname } from '../../../config/names/hostname.ts';

/** What the checks read: reservations in the store, live endpoints, the edge's --domain. */
export interface DomainDeps {
  store: Store;
  live: Pick<LiveAgents, 'hostnameHolders'>;
  domain: string;
}

/** The normalised name (lower case, no trailing dot), or a 400 with ngrok's syntax codes. */
export function checkDomainName(raw: string): string {
  const problem = domainNameProblem(raw);
  if (problem) throw invalid(problem.code, 'domain', problem.message);
  return normalizeHostname(raw.trim());
}

function refused(code: ErrorCode, message: string): ApiError {
  return new ApiError(code, `domain: ${message}`, { field: 'domain' });
}

/**
 * The edge's --domain and every wildcard over it belong to the operator: accounts get names
 * under it (`app.<domain>`, `*.team.<domain>`), never the domain or `*.<domain>` itself.
 */
function checkNotEdgeDomain(name: string, edgeDomain: string): void {
  const domain = normalizeHostname(edgeDomain);
  if (name === domain)
    throw refused(
      ErrorCode.ERR_NGROK_404,
      `"${name}" is this edge's own domain (--domain); reserve a name under it, such as app.${domain}`,
    );
  if (name.startsWith('*.') && (domain === name.slice(2) || domain.endsWith(`.${name.slice(2)}`))) {
    throw refused(
      ErrorCode.ERR_NGROK_416,
      `${name} would cover every name under this edge's domain ${domain}; reserve a name or wildcard under it, such as *.team.${domain}`,
    );
  }
}

/** Throws (ERR_NGROK_404/413/414/416/417) unless `accountId` may reserve `name` (already normalised). */
export async function checkDomainAvailable(deps: DomainDeps, accountId: string, name: string): Promise<void> {
  const { store } = deps;
  checkNotEdgeDomain(name, deps.domain);
  const [exact, ...wildcards] = coveringKeys(name);
  const existing = await store.resources.getByKey(reservedDomainKind, exact!);
  if (existing) {
    throw existing.account_id === accountId
      ? refused(ErrorCode.ERR_NGROK_413, `"${name}" is already reserved by this account (${existing.id})`)
      : refused(ErrorCode.ERR_NGROK_414, `"${name}" is already reserved by another account`);
  }
  for (const key of wildcards) {
    const holder = await store.resources.getByKey(reservedDomainKind, key);
    if (holder && holder.account_id !== accountId)
      throw refused(ErrorCode.ERR_NGROK_414, `"${name}" is under the wildcard ${key}, which another account reserved`);
  }
  if (name.startsWith('*.')) {
    const parent = name.slice(2);
    const under = await store.resources.listByKeySuffix(reservedDomainKind, `.${parent}`);
    if (under.some((r) => r.account_id !== accountId))
      throw refused(
        ErrorCode.ERR_NGROK_417,
        `another account already reserved a name under ${parent}, so ${name} cannot be reserved`,
      );
  }
  // A name another account's agent serves now, or holds for its reconnect (60 s), is theirs.
  if ([...deps.live.hostnameHolders(name)].some((holder) => holder !== accountId)) {
    throw name.startsWith('*.')
      ? refused(
          ErrorCode.ERR_NGROK_417,
          `another account's agent is using a name under ${name.slice(2)} (or did within the last minute), so ${name} cannot be reserved`,
        )
      : refused(ErrorCode.ERR_NGROK_414, `another account's agent is using "${name}" (or did within the last minute)`);
  }
}

/**
 * ngrok's region codes, and `local` (Portico's own). A self-hosted edge serves every name from
 * wherever it runs, so a region is a label recorded and echoed as sent (docs/api.md, Regions).
 */
export const regionCodes: readonly string[] = ['us', 'eu', 'ap', 'au', 'sa', 'jp', 'in', 'local'];

/**
 * `resolves_to` as stored: each entry a region code (see regionCodes), the edge's --region or
 * `global`, kept as sent; null when not set. Like region, a label on a self-hosted edge.
 */
export function checkResolvesTo(
  entries: Array<{ value: string }> | null | undefined,
  edgeRegion: string,
): Array<{ value: string }> | null {
  if (!entries) return null;
  const allowed = new Set([...regionCodes, edgeRegion, 'global']);
  return entries.map((entry, i) => {
    if (!allowed.has(entry.value))
      throw invalid(
        ErrorCode.ERR_NGROK_215,
        `resolves_to[${i}].value`,
        `"${entry.value}" is not a region; use one of ${[...allowed].join(', ')}`,
      );
    return { value: entry.value };
  });
}

/**
 * The region to record: the one sent when it is one of ngrok's codes, `local` or the edge's
 * own --region; the edge's own when omitted; anything else is refused (ERR_NGROK_400).
 */
export function checkRegion(requested: string | null | undefined, edgeRegion: string): string {
  if (requested === undefined || requested === null || requested === '') return edgeRegion;
  if (requested === edgeRegion || regionCodes.includes(requested)) return requested;
  throw invalid(
    ErrorCode.ERR_NGROK_400,
    'region',
    `"${requested}" is not a region; use one of ${[...new Set([...regionCodes, edgeRegion])].join(', ')}, or omit region`,
  );
}
