/** The address of a public client, as the proxy header, X-Forwarded-For and logs give it. */
interface Peer {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}

/** The client's IP without an IPv4-mapped IPv6 prefix (`::ffff:1.2.3.4` → `1.2.3.4`). */
export function clientIpOf(socket: Peer): string {
  const ip = socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** "ip:port" of the client, for the proxy header's ClientAddr. */
export function clientAddrOf(socket: Peer): string {
  return `${clientIpOf(socket)}:${socket.remotePort ?? 0}`;
}
