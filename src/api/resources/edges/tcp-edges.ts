import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../context.ts';
import { tcpEdgeKind, type TcpEdgeDoc } from '../../../config/documents/edges.ts';
import { tcpEdgePath } from './edge-paths.ts';
import { registerEdgeKind } from './edge-resource.ts';
import { tcpEdgeModules } from './modules/index.ts';

/** TCP edges: `/edges/tcp` on reserved addresses, with `backend`, `ip_restriction`, `policy`. */
export function registerTcpEdges(app: FastifyInstance, deps: ApiDeps): void {
  registerEdgeKind<TcpEdgeDoc>(app, deps, {
    path: tcpEdgePath,
    kind: tcpEdgeKind,
    prefix: 'edgtcp',
    listKey: 'tcp_edges',
    modules: tcpEdgeModules,
    endpoints: 'addr',
  });
}
