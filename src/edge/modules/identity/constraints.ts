import type { IdentityConstraints } from '../../../config/modules/plans.ts';
import type { Identity } from './login-flow.ts';

/**
 * Whether `user` may pass: always when no email, domain or group is listed; else only as a
 * member of a listed group, or with a verified email address that is listed or whose domain is.
 */
export function admits(constraints: IdentityConstraints, user: Identity): boolean {
  const { allowEmails, allowDomains, allowGroups = [] } = constraints;
  if (allowEmails.length === 0 && allowDomains.length === 0 && allowGroups.length === 0) return true;
  if (user.groups?.some((g) => allowGroups.includes(g))) return true;
  const email = user.email.toLowerCase();
  if (!email || user.emailVerified === false) return false;
  if (allowEmails.includes(email)) return true;
  return allowDomains.includes(email.slice(email.lastIndexOf('@') + 1));
}
