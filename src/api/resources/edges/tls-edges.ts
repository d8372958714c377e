import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../context.ts';
import { tlsEdgeKind, type TlsEdgeDoc } from '../../../config/documents/edges.ts';
import { tlsEdgePath } from './edge-paths.ts';
import { registerEdgeKind } from './edge-resource.ts';
import { tlsEdgeModules } from './modules/index.ts';

/** TLS edges: `/edges/tls` with `backend`, `ip_restriction`, `mutual_tls`, `tls_termination`, `policy`. */
export function registerTlsEdges(app: FastifyInstance, deps: ApiDeps): void {
  registerEdgeKind<TlsEdgeDoc>(app, deps, {
    path: tlsEdgePath,
    kind: tlsEdgeKind,
    prefix: 'edgtls',
    listKey: 'tls_edges',
    modules: tlsEdgeModules,
    endpoints: 'named',
  });
}
