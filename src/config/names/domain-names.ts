/**
 * Reserved-domain names: a host name (`app.example.com`) or a wildcard (`*.example.com`) that
 * covers every name under `example.com` at any depth, but not `example.com` itself.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import { isValidHostname, isValidWildcard, normalizeHostname } from './hostname.ts';

export { isUnderWildcard } from './hostname.ts';

export { reservedDomainKind } from '../documents/reserved-domain.ts';

/**
 * The reservation keys that would cover `hostname`, most specific first: the name itself,
 * then every wildcard above it. `a.b.example.com` → `a.b.example.com`, `*.b.example.com`,
 * `*.example.com`, `*.com`; `*.b.example.com` → itself, `*.example.com`, `*.com`.
 */
export function coveringKeys(hostname: string): string[] {
  const name = normalizeHostname(hostname);
  const base = name.startsWith('*.') ? name.slice(2) : name;
  const labels = base.split('.');
  const keys = [name];
  for (let i = 1; i < labels.length; i++) keys.push(`*.${labels.slice(i).join('.')}`);
  return keys;
}

/** Why a requested domain name is refused: an ngrok error code and a message. */
export interface NameProblem {
  code: ErrorCode;
  message: string;
}

/**
 * Checks a requested reserved-domain name; undefined when it is acceptable. Codes follow
 * ngrok: 402/403 for a malformed wildcard, 406–411 for host-name syntax.
 */
export function domainNameProblem(raw: string): NameProblem | undefined {
  const name = normalizeHostname(raw.trim());
  if (name === '')
    return {
      code: ErrorCode.ERR_NGROK_406,
      message: 'must not be empty; give a name such as app.example.com or *.example.com',
    };
  if (name.includes('*')) {
    if (!name.startsWith('*.') || name.indexOf('*', 1) !== -1) {
      return {
        code: ErrorCode.ERR_NGROK_402,
        message: `"${raw}": a wildcard is only allowed as the whole first label, as in *.example.com`,
      };
    }
    if (!isValidWildcard(name) || !name.slice(2).includes('.')) {
      return {
        code: ErrorCode.ERR_NGROK_403,
        message: `"${raw}": a wildcard needs a valid name with at least two labels after "*.", as in *.example.com`,
      };
    }
    return undefined;
  }
  if (name.length > 253) return { code: ErrorCode.ERR_NGROK_407, message: `"${raw}" is longer than 253 characters` };
  if (name.split('.').some((l) => l.length > 63))
    return { code: ErrorCode.ERR_NGROK_408, message: `"${raw}" has a label longer than 63 characters` };
  if (!name.includes('.'))
    return { code: ErrorCode.ERR_NGROK_409, message: `"${raw}" needs at least two labels, as in app.example.com` };
  if (/[^a-z0-9.-]/.test(name))
    return {
      code: ErrorCode.ERR_NGROK_410,
      message: `"${raw}" may contain only letters, digits, hyphens and dots (write international names in their xn-- form)`,
    };
  if (!isValidHostname(name)) {
    return {
      code: ErrorCode.ERR_NGROK_411,
      message: `"${raw}" is not a valid host name: labels are 1–63 characters, start and end with a letter or digit, and the last is not all digits`,
    };
  }
  return undefined;
}
