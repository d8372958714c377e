/**
 * Whether an account may reserve a name: nobody holds it yet, no other account's wildcard
 * covers it, and (for a wildcard) no other account holds a name under it.
 */
import type { Store } from '../../../store/store.ts';
import { ApiError, invalid } from '../../errors.ts';
import { coveringKeys, domainNameProblem, reservedDomainKind } from './domain-names.ts';
import { normalizeHostname } from '../../../edge/tls/hostname.ts';

/** The normalised name (lower case, no trailing dot), or a 400 with ngrok's syntax codes. */
export function checkDomainName(raw: string): string {
  const problem = domainNameProblem(raw);
  if (problem) throw invalid(problem.code, 'domain', problem.message);
  return normalizeHostname(raw.trim());
}

function taken(message: string): ApiError {
  return new ApiError(400, 'ERR_NGROK_413', `domain: ${message}`, { field: 'domain' });
}

/** Throws ERR_NGROK_413 unless `accountId` may reserve `name` (already normalised). */
export async function checkDomainAvailable(store: Store, accountId: string, name: string): Promise<void> {
  const [exact, ...wildcards] = coveringKeys(name);
  const existing = await store.resources.getByKey(reservedDomainKind, exact!);
  if (existing) {
    throw taken(existing.account_id === accountId ? `"${name}" is already reserved by this account (${existing.id})` : `"${name}" is already reserved by another account`);
  }
  for (const key of wildcards) {
    const holder = await store.resources.getByKey(reservedDomainKind, key);
    if (holder && holder.account_id !== accountId) throw taken(`"${name}" is under the wildcard ${key}, which another account reserved`);
  }
  if (name.startsWith('*.')) {
    const parent = name.slice(2);
    const under = await store.resources.listByKeySuffix(reservedDomainKind, `.${parent}`);
    if (under.some((r) => r.account_id !== accountId)) throw taken(`another account already reserved a name under ${parent}, so ${name} cannot be reserved`);
  }
}

/** The region to record: the edge's own when omitted; any other is refused (ERR_NGROK_400). */
export function checkRegion(requested: string | null | undefined, edgeRegion: string): string {
  if (requested === undefined || requested === null || requested === '' || requested === edgeRegion) return edgeRegion;
  throw invalid('ERR_NGROK_400', 'region', `"${requested}" is not served by this edge; use "${edgeRegion}" or omit region`);
}
