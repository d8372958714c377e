import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../context.ts';
import { registerHttpsEdgeRoutes } from './https-edge-routes.ts';
import { registerHttpsEdges } from './https-edges.ts';
import { registerTcpEdges } from './tcp-edges.ts';
import { registerTlsEdges } from './tls-edges.ts';

export type { HttpsEdgeDoc, HttpsEdgeRouteDoc, TcpEdgeDoc, TlsEdgeDoc } from '../../../config/documents/edges.ts';
export { httpsEdgeKind, tcpEdgeKind, tlsEdgeKind } from '../../../config/documents/edges.ts';

/** The edge families: HTTPS edges and their routes, TLS edges, TCP edges. */
export const edgeResources: ReadonlyArray<(app: FastifyInstance, deps: ApiDeps) => void> = [
  registerHttpsEdges,
  registerHttpsEdgeRoutes,
  registerTlsEdges,
  registerTcpEdges,
];
