/**
 * A static backend's `address`: `host:port`, where host is a DNS name, an IPv4 address or an
 * IPv6 address in brackets, and port is 1..65535. Parsed the same way by the API (which
 * refuses a bad one with ngrok's numbered code) and by the compile (which dials the result).
 */
import net from 'node:net';
import { ErrorCode } from '../../errors/catalogue.ts';

/** Longest address accepted: a 253-character DNS name, the colon and a 5-digit port. */
export const maxAddressLength = 259;

export interface StaticAddress {
  /** Name or IP address, without brackets. */
  host: string;
  port: number;
}

/** Why an address was refused: ngrok's code (6505 no host:port, 6506 invalid, 6507 no host) and the reason. */
export interface AddressProblem {
  code: typeof ErrorCode.ERR_NGROK_6505 | typeof ErrorCode.ERR_NGROK_6506 | typeof ErrorCode.ERR_NGROK_6507;
  reason: string;
}

const dnsLabel = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

/** The parsed address, or the problem with it. */
export function parseStaticAddress(value: string): StaticAddress | AddressProblem {
  if (value.length > maxAddressLength)
    return { code: ErrorCode.ERR_NGROK_6506, reason: `longer than ${maxAddressLength} characters` };
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(value);
  if (!m) {
    if (net.isIPv6(value.slice(0, value.lastIndexOf(':'))))
      return { code: ErrorCode.ERR_NGROK_6506, reason: 'an IPv6 host goes in brackets, e.g. [::1]:443' };
    return { code: ErrorCode.ERR_NGROK_6505, reason: `"${value}" is not host:port` };
  }
  const host = m[1] ?? m[2] ?? '';
  if (host === '') return { code: ErrorCode.ERR_NGROK_6507, reason: `"${value}" has no host` };
  if (m[1] !== undefined && !net.isIPv6(host))
    return { code: ErrorCode.ERR_NGROK_6506, reason: `"${host}" in brackets is not an IPv6 address` };
  if (m[1] === undefined && !net.isIPv4(host) && !isDnsName(host))
    return { code: ErrorCode.ERR_NGROK_6506, reason: `"${host}" is not a DNS name or IP address` };
  const port = /^[0-9]{1,5}$/.test(m[3]!) ? Number(m[3]) : NaN;
  if (!(port >= 1 && port <= 65535))
    return { code: ErrorCode.ERR_NGROK_6506, reason: `port "${m[3]}" is not a number from 1 to 65535` };
  return { host, port };
}

/** True for a parse result that is a problem. */
export function isAddressProblem(parsed: StaticAddress | AddressProblem): parsed is AddressProblem {
  return 'code' in parsed;
}

function isDnsName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return name.length <= 253 && name.split('.').every((label) => dnsLabel.test(label));
}
