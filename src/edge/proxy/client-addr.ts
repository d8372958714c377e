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

/** Both ends of a connection, as traffic events give them. */
export interface ConnAddresses {
  clientIp: string;
  clientPort: number | undefined;
  serverPort: number | undefined;
}

/**
 * Both ends of `socket`, read while it is open: once closed, a socket no longer has them (Node
 * asks its handle, which is gone), and an event gathered at the close would lose them.
 */
export function connAddressesOf(socket: Peer & { localPort?: number | undefined }): ConnAddresses {
  return { clientIp: clientIpOf(socket), clientPort: socket.remotePort, serverPort: socket.localPort };
}
