import ipaddr from 'ipaddr.js';
import type { IpRulePlan } from '../modules/plans.ts';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Sources whose answer is remembered, per filter. A client's address is the same for every
 * request of its connection, and parsing it costs more than the rest of the check; beyond this
 * many, the memory starts over.
 */
const REMEMBERED = 128;

/**
 * IP rules compiled once: a source is let in when it matches an allow rule and no deny rule.
 * IPv4-mapped IPv6 sources (::ffff:10.0.0.1) are matched as the IPv4 address they carry.
 */
export class IpFilter {
  private readonly allow: Range[] = [];
  private readonly deny: Range[] = [];
  private readonly answers = new Map<string, boolean>();

  constructor(rules: readonly IpRulePlan[]) {
    for (const rule of rules) (rule.action === 'deny' ? this.deny : this.allow).push(ipaddr.parseCIDR(rule.cidr));
  }

  admits(ip: string): boolean {
    let answer = this.answers.get(ip);
    if (answer === undefined) {
      if (this.answers.size >= REMEMBERED) this.answers.clear();
      answer = this.check(ip);
      this.answers.set(ip, answer);
    }
    return answer;
  }

  private check(ip: string): boolean {
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      addr = ipaddr.process(ip.replace(/%.*$/, ''));
    } catch {
      return false;
    }
    return matchesAny(addr, this.allow) && !matchesAny(addr, this.deny);
  }
}

function matchesAny(addr: ipaddr.IPv4 | ipaddr.IPv6, ranges: readonly Range[]): boolean {
  for (const range of ranges) if (range[0].kind() === addr.kind() && addr.match(range)) return true;
  return false;
}
