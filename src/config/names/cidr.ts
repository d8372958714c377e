/** CIDRs written the one usual way, in canonical form: what IP policy rules and agents' IP restrictions store. */
import ipaddr from 'ipaddr.js';

/** A prefix length in plain decimal: "8", never "08". */
const PREFIX_LENGTH = /^(0|[1-9]\d{0,2})$/;

/**
 * Parses an address written the one usual way: IPv4 as four decimal parts without leading
 * zeros ("010.0.0.1" is octal to some parsers and decimal to others), IPv6 without a zone id
 * (a zone names an interface of one host and means nothing in a policy).
 */
function parseStrictAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  const v6 = ipaddr.IPv6.parse(text);
  const embedded = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v6.zoneId !== undefined || (embedded && !ipaddr.IPv4.isValidFourPartDecimal(embedded)))
    throw new Error('not in canonical form');
  return v6;
}

/**
 * "10.0.0.0/8", "2001:db8::/32" or a bare address (as /32 or /128) in canonical form, host bits
 * cleared ("10.1.2.3/8" becomes "10.0.0.0/8"); undefined for anything else.
 */
export function canonicalCidr(value: string): string | undefined {
  try {
    const [text, prefix, extra] = value.split('/');
    if (extra !== undefined || (prefix !== undefined && !PREFIX_LENGTH.test(prefix))) return undefined;
    const addr = parseStrictAddress(text!);
    const bits = prefix === undefined ? (addr.kind() === 'ipv4' ? 32 : 128) : Number(prefix);
    const network =
      addr.kind() === 'ipv4'
        ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`)
        : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
    return `${network.toString()}/${bits}`;
  } catch {
    return undefined;
  }
}
