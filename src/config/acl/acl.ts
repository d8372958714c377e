/**
 * Credential ACLs: the `bind:` rules an authtoken may carry (ngrok's credential `acl`). An
 * empty ACL allows every bind; otherwise a bind must match at least one rule.
 *
 * Rule forms:
 * - `bind:app.example.com`: that hostname exactly (case-insensitive);
 * - `bind:*.example.com`: any name under example.com at any depth, and the wildcard itself;
 * - `bind:host:port`: that TCP address;
 * - `bind:key=value`: labeled tunnels; `*` may stand for the key, the value or both;
 * - `bind:*` or `*`: anything (the same as no ACL).
 */
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { isValidHostname, isValidWildcard, normalizeHostname } from '../names/hostname.ts';

/** A parsed rule. */
export type AclRule =
  | { kind: 'any' }
  | { kind: 'hostname'; name: string }
  | { kind: 'wildcard'; suffix: string }
  | { kind: 'addr'; host: string; port: number }
  | { kind: 'label'; key: string; value: string };

/** What an agent asks to bind. */
export type BindTarget =
  { hostname: string } | { addr: { host: string; port: number } } | { labels: Readonly<Record<string, string>> };

const LABEL_PART = /^(?:\*|[A-Za-z0-9][A-Za-z0-9._/-]*)$/;

/** Parses one rule; undefined when it is not one of the forms above. */
export function parseAclRule(rule: string): AclRule | undefined {
  if (rule === '*') return { kind: 'any' };
  if (!rule.startsWith('bind:')) return undefined;
  const target = rule.slice('bind:'.length).trim();
  if (target === '*') return { kind: 'any' };
  const eq = target.indexOf('=');
  if (eq >= 0) {
    const key = target.slice(0, eq);
    const value = target.slice(eq + 1);
    return LABEL_PART.test(key) && LABEL_PART.test(value) ? { kind: 'label', key, value } : undefined;
  }
  const addr = /^(.+):(\d{1,5})$/.exec(target);
  if (addr) {
    const port = Number(addr[2]);
    const host = normalizeHostname(addr[1]!);
    return port >= 1 && port <= 65535 && isValidHostname(host) ? { kind: 'addr', host, port } : undefined;
  }
  const name = normalizeHostname(target);
  if (isValidWildcard(name)) return { kind: 'wildcard', suffix: name.slice(1) };
  return isValidHostname(name) ? { kind: 'hostname', name } : undefined;
}

/** The rules of `acl` that do not parse (for API validation). */
export function invalidAclRules(acl: readonly string[]): string[] {
  return acl.filter((rule) => parseAclRule(rule) === undefined);
}

/** True when `acl` lets its holder bind `target`. Unparsable rules allow nothing. */
export function aclAllows(acl: readonly string[], target: BindTarget): boolean {
  if (acl.length === 0) return true;
  const rules = acl.map(parseAclRule).filter((r): r is AclRule => r !== undefined);
  if (rules.some((r) => r.kind === 'any')) return true;
  if ('hostname' in target) return rules.some((r) => hostnameMatches(r, normalizeHostname(target.hostname)));
  if ('addr' in target) {
    const host = normalizeHostname(target.addr.host);
    return rules.some((r) => r.kind === 'addr' && r.host === host && r.port === target.addr.port);
  }
  const labels = Object.entries(target.labels);
  return labels.length > 0 && labels.every(([k, v]) => rules.some((r) => labelMatches(r, k, v)));
}

/** Throws ERR_BIND_NOT_ALLOWED unless `acl` lets its holder bind `target`. */
export function checkBindAllowed(acl: readonly string[] | undefined, target: BindTarget): void {
  if (!acl || aclAllows(acl, target)) return;
  throw new PorticoError(
    ErrorCode.ERR_BIND_NOT_ALLOWED,
    `${describe(target)} is not matched by any of ${acl.join(', ')}`,
  );
}

function hostnameMatches(rule: AclRule, hostname: string): boolean {
  if (rule.kind === 'hostname') return rule.name === hostname;
  // suffix is ".example.com": any depth below it, and the wildcard "*.example.com" itself.
  if (rule.kind === 'wildcard') return hostname.endsWith(rule.suffix) && hostname.length > rule.suffix.length;
  return false;
}

function labelMatches(rule: AclRule, key: string, value: string): boolean {
  return (
    rule.kind === 'label' && (rule.key === '*' || rule.key === key) && (rule.value === '*' || rule.value === value)
  );
}

function describe(target: BindTarget): string {
  if ('hostname' in target) return `"${target.hostname}"`;
  if ('addr' in target) return `"${target.addr.host}:${target.addr.port || '(any port)'}"`;
  return `labels ${Object.entries(target.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}`;
}
