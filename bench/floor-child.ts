/**
 * Bench child: one side of the floor (floor-mux.ts), in the place of the edge or of the agent.
 * argv[2] is a FloorChildConfig as JSON.
 * - `exit` (the agent's place): accepts the session over TLS and connects each stream to the
 *   service's HTTP or TCP port.
 * - `entry` (the edge's place): dials the exit over TLS, as an agent session is, and carries
 *   every connection to its listeners there: plain HTTP (as the edge's HTTP port), HTTP over
 *   TLS terminated here (its HTTPS port) and TCP (a tcp endpoint's port).
 * Both use a certificate of the bench edge's local CA, so TLS costs what it costs Portico.
 */
import net from 'node:net';
import { dirname } from 'node:path';
import tls from 'node:tls';
import { issueLeafCertificate, loadOrCreateLocalCa } from '../src/edge/tls/local-ca.ts';
import { runChild } from './child-side.ts';
import { applyRuntimeSettings } from '../src/cli/runtime-settings.ts';
import { FloorSession, FloorTarget } from './floor-mux.ts';

export type FloorChildConfig =
  | { role: 'exit'; caPath: string; httpPort: number; tcpPort: number }
  | { role: 'entry'; caPath: string; exitPort: number };

export interface FloorReady {
  /** The exit's session port; the entry's listeners. 0 where the role has none. */
  sessionPort: number;
  httpPort: number;
  httpsPort: number;
  tcpPort: number;
}

const servername = 'localhost';

// Portico's runtime settings, as `portico` applies them (src/cli/main.ts).
applyRuntimeSettings();

runChild<FloorReady>(async () => {
  const config = JSON.parse(process.argv[2] ?? '{}') as FloorChildConfig;
  const ca = await loadOrCreateLocalCa(dirname(config.caPath));
  const leaf = await issueLeafCertificate(ca, { dnsNames: [servername], ipAddresses: ['127.0.0.1'] });
  const servers: net.Server[] = [];
  const serve = async (server: net.Server) => {
    servers.push(server);
    return listen(server);
  };
  const ready: FloorReady = { sessionPort: 0, httpPort: 0, httpsPort: 0, tcpPort: 0 };
  if (config.role === 'exit') {
    const connect = (target: FloorTarget) =>
      net.connect({
        port: target === FloorTarget.Http ? config.httpPort : config.tcpPort,
        host: '127.0.0.1',
        allowHalfOpen: true,
        noDelay: true,
      });
    const accept = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => new FloorSession(s, connect));
    ready.sessionPort = await serve(accept);
  } else {
    const socket = tls.connect({ port: config.exitPort, host: '127.0.0.1', servername, ca: ca.certPem });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    socket.setNoDelay(true);
    const session = new FloorSession(socket);
    const carry = (target: FloorTarget) => (conn: net.Socket) => session.carry(conn, target);
    const plain = { allowHalfOpen: true, noDelay: true };
    ready.httpPort = await serve(net.createServer(plain, carry(FloorTarget.Http)));
    ready.httpsPort = await serve(
      tls.createServer({ ...plain, cert: leaf.certPem, key: leaf.keyPem }, carry(FloorTarget.Http)),
    );
    ready.tcpPort = await serve(net.createServer(plain, carry(FloorTarget.Tcp)));
  }
  return {
    ready,
    // The process exits once this resolves (child-side.ts): nothing need wait for connections to end.
    close: async () => {
      for (const server of servers) server.close();
    },
  };
});

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}
