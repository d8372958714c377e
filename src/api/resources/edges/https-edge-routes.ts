/**
 * HTTPS edge routes: `POST /edges/https/{edge_id}/routes`, `GET/PATCH/DELETE …/routes/{id}` and
 * the route module paths `…/routes/{id}/<module>`. Routes live inside their edge's document,
 * so every change rewrites the edge (one change event for the data plane).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isValidHostname, normalizeHostname } from '../../../config/names/hostname.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { newId } from '../../../store/ids.ts';
import type { ResourceRecord } from '../../../store/resources.ts';
import { rfc3339 } from '../../../store/timestamps.ts';
import { commonCreate, commonPatch, Description, Metadata } from '../../resource-fields.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../../context.ts';
import { ApiError, invalid, notFound } from '../../errors.ts';
import { apiOrigin } from '../../uri.ts';
import {
  httpsEdgeKind,
  httpsEdgeRoutePrefix,
  type HttpsEdgeDoc,
  type HttpsEdgeRouteDoc,
} from '../../../config/documents/edges.ts';
import { httpsEdgePath } from './edge-paths.ts';
import { checkRouteHost } from './route-hosts.ts';
import { emptySlots, moduleProperties, normalizeModules, readModules, registerModulePaths } from './module-slots.ts';
import { routeModules } from './modules/index.ts';
import { secretsOf } from './modules/module-spec.ts';

const matchTypes = ['exact_path', 'path_prefix'] as const;

const routeFields = {
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  ...moduleProperties(routeModules),
};
const RouteCreate = Type.Object({ ...routeFields, match_type: Type.String(), match: Type.String() });
const RouteUpdate = Type.Object({
  ...routeFields,
  match_type: Type.Optional(Type.String()),
  match: Type.Optional(Type.String()),
});
type RouteBody = { description?: string; metadata?: string; match_type?: string; match?: string } & Record<
  string,
  unknown
>;

/** Checks `match_type`; "exact_path" or "path_prefix". */
function matchTypeOf(value: string): HttpsEdgeRouteDoc['match_type'] {
  if (!(matchTypes as readonly string[]).includes(value))
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      'match_type',
      `"${value}" is not a match type; use "exact_path" or "path_prefix"`,
    );
  return value as HttpsEdgeRouteDoc['match_type'];
}

/** Checks `match`: a path ("/blog"), a host ("example.com") or both ("example.com/blog"). */
function matchOf(value: string): string {
  const match = value.trim();
  if (match === '' || /\s/.test(match))
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      'match',
      'give a path such as "/blog", a host such as "example.com", or both: "example.com/blog"',
    );
  if (match.startsWith('/')) return match;
  const slash = match.indexOf('/');
  const host = normalizeHostname(slash < 0 ? match : match.slice(0, slash));
  if (!isValidHostname(host))
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      'match',
      `"${value}": "${host}" is not a valid host name; paths start with "/"`,
    );
  return slash < 0 ? host : host + match.slice(slash);
}

/** Refuses a second route with the same match: it could never be chosen. */
function checkUnique(routes: readonly HttpsEdgeRouteDoc[], route: HttpsEdgeRouteDoc): void {
  const twin = routes.find((r) => r.id !== route.id && r.match_type === route.match_type && r.match === route.match);
  if (twin)
    throw new ApiError(
      ErrorCode.ERR_ROUTE_MATCH_TAKEN,
      `match: route ${twin.id} already matches ${route.match_type} "${route.match}"; update that route instead`,
      { field: 'match' },
    );
}

/** The read shape of one route. */
export function readRoute(
  ctx: ApiContext,
  edge: ResourceRecord<HttpsEdgeDoc>,
  route: HttpsEdgeRouteDoc,
): Record<string, unknown> {
  const { req } = ctx;
  return {
    id: route.id,
    edge_id: edge.id,
    created_at: route.created_at,
    match_type: route.match_type,
    match: route.match,
    uri: `${apiOrigin(req)}${httpsEdgePath}/${edge.id}/routes/${route.id}`,
    description: route.description ?? '',
    metadata: route.metadata ?? '',
    ...readModules(routeModules, route, {
      req,
      edgeId: edge.id,
      routeId: route.id,
      hostports: edge.doc.hostports,
      secrets: secretsOf(ctx),
    }),
  };
}

interface Loaded {
  edge: ResourceRecord<HttpsEdgeDoc>;
  route: HttpsEdgeRouteDoc;
  /** Stores the edge with this route replaced (or removed, for null). */
  save(route: HttpsEdgeRouteDoc | null): Promise<ResourceRecord<HttpsEdgeDoc>>;
}

async function loadEdge(ctx: ApiContext, edgeId: string): Promise<ResourceRecord<HttpsEdgeDoc>> {
  const edge = await ctx.deps.store.resources.get<HttpsEdgeDoc>(ctx.account.id, httpsEdgeKind, edgeId);
  if (!edge) throw notFound('HTTPS edge');
  return edge;
}

async function saveRoutes(
  ctx: ApiContext,
  edge: ResourceRecord<HttpsEdgeDoc>,
  routes: HttpsEdgeRouteDoc[],
): Promise<ResourceRecord<HttpsEdgeDoc>> {
  const doc = { ...edge.doc, routes };
  await ctx.deps.store.resources.update(ctx.account.id, httpsEdgeKind, edge.id, doc);
  return { ...edge, doc };
}

async function loadRoute(ctx: ApiContext, req: FastifyRequest): Promise<Loaded> {
  const { edge_id: edgeId, id } = req.params as { edge_id: string; id: string };
  const edge = await loadEdge(ctx, edgeId);
  const route = edge.doc.routes.find((r) => r.id === id);
  if (!route) throw notFound('HTTPS edge route');
  const save = (next: HttpsEdgeRouteDoc | null) =>
    saveRoutes(
      ctx,
      edge,
      edge.doc.routes.flatMap((r) => (r.id !== id ? [r] : next ? [next] : [])),
    );
  return { edge, route, save };
}

/** Registers the route paths and the route module paths. */
export function registerHttpsEdgeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const routesPath = `${httpsEdgePath}/:edge_id/routes`;

  app.post(routesPath, { schema: { body: RouteCreate } }, async (req, reply) => {
    const ctx = contextOf(req, deps);
    const body = req.body as RouteBody;
    const edge = await loadEdge(ctx, (req.params as { edge_id: string }).edge_id);
    const route = {
      id: newId(httpsEdgeRoutePrefix),
      created_at: rfc3339(),
      match_type: matchTypeOf(body.match_type!),
      match: matchOf(body.match!),
      ...commonCreate(body),
      ...emptySlots(routeModules),
      ...(await normalizeModules(routeModules, body, ctx)),
    } as HttpsEdgeRouteDoc;
    checkUnique(edge.doc.routes, route);
    checkRouteHost(route, edge.doc.hostports);
    const saved = await saveRoutes(ctx, edge, [...edge.doc.routes, route]);
    return reply.code(201).send(readRoute(ctx, saved, route));
  });

  app.get(`${routesPath}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    const { edge, route } = await loadRoute(ctx, req);
    return readRoute(ctx, edge, route);
  });

  app.patch(`${routesPath}/:id`, { schema: { body: RouteUpdate } }, async (req) => {
    const ctx = contextOf(req, deps);
    const body = req.body as RouteBody;
    const loaded = await loadRoute(ctx, req);
    const route: HttpsEdgeRouteDoc = {
      ...commonPatch(loaded.route, body),
      ...(body.match_type !== undefined && { match_type: matchTypeOf(body.match_type) }),
      ...(body.match !== undefined && { match: matchOf(body.match) }),
      ...(await normalizeModules(routeModules, body, ctx, loaded.route)),
    };
    checkUnique(loaded.edge.doc.routes, route);
    checkRouteHost(route, loaded.edge.doc.hostports);
    return readRoute(ctx, await loaded.save(route), route);
  });

  app.delete(`${routesPath}/:id`, async (req) => {
    await (await loadRoute(contextOf(req, deps), req)).save(null);
    return {};
  });

  registerModulePaths(app, deps, `${routesPath}/:id`, routeModules, async (ctx, req) => {
    const { edge, route, save } = await loadRoute(ctx, req);
    return {
      slots: route,
      owner: { req, edgeId: edge.id, routeId: route.id, hostports: edge.doc.hostports, secrets: secretsOf(ctx) },
      save: async (slots) => void (await save(slots as HttpsEdgeRouteDoc)),
    };
  });
}
