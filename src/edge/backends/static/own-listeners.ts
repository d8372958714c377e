/**
 * A static backend may not dial the edge's own listeners: a TCP edge whose static backend is
 * the edge's own port would accept the edge's connection, dial itself again, and so on until
 * the connection budget runs out. (HTTP loops through other edges are caught by the hops
 * header, proxy/loop.ts.) Only this machine's addresses are checked: another host that
 * forwards back here is not seen.
 */
import os from 'node:os';
import ipaddr from 'ipaddr.js';

/** The canonical form of `ip` (IPv4-mapped IPv6 as IPv4); undefined when it is no IP address. */
function canonical(ip: string): string | undefined {
  return ipaddr.isValid(ip) ? ipaddr.process(ip).toNormalizedString() : undefined;
}

/** Whether `ip` is one of this machine's: loopback, unspecified (0.0.0.0, ::), or an interface's. */
export function isLocalAddress(ip: string): boolean {
  const addr = canonical(ip);
  if (addr === undefined) return false;
  const range = ipaddr.process(ip).range();
  if (range === 'loopback' || range === 'unspecified') return true;
  return Object.values(os.networkInterfaces()).some((list) =>
    (list ?? []).some((nic) => canonical(nic.address) === addr),
  );
}

/** A check of "ip:port is a listener of this edge", given the ports the edge listens on now. */
export function ownListeners(ports: () => Iterable<number>): (ip: string, port: number) => boolean {
  return (ip, port) => [...ports()].includes(port) && isLocalAddress(ip);
}
