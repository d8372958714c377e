import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../context.ts';
import { httpsEdgeKind, type HttpsEdgeDoc } from '../../../config/documents/edges.ts';
import { httpsEdgePath } from './edge-paths.ts';
import { registerEdgeKind } from './edge-resource.ts';
import { readRoute } from './https-edge-routes.ts';
import { checkRouteHosts } from './route-hosts.ts';
import { httpsEdgeModules } from './modules/index.ts';

/** HTTPS edges: `/edges/https` with `mutual_tls` and `tls_termination`, routes embedded on read. */
export function registerHttpsEdges(app: FastifyInstance, deps: ApiDeps): void {
  registerEdgeKind<HttpsEdgeDoc>(app, deps, {
    path: httpsEdgePath,
    kind: httpsEdgeKind,
    prefix: 'edghts',
    listKey: 'https_edges',
    modules: httpsEdgeModules,
    endpoints: 'named',
    initialDoc: { routes: [] },
    readExtra: (record, ctx) => ({ routes: record.doc.routes.map((route) => readRoute(ctx, record, route)) }),
    checkUpdate: (doc) => checkRouteHosts(doc.routes, doc.hostports),
  });
}
