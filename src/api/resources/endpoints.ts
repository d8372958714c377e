/**
 * Endpoints: read-only, every address the account is served on right now. An agent endpoint
 * (`type: "ephemeral"`) is one live bind of a connected agent, with the name and description
 * ngrok-go v2 gives it; an edge endpoint (`type: "edge"`) is one hostport of an HTTPS, TLS or
 * TCP edge. Cloud endpoints (ngrok's `POST /endpoints`, made of a Traffic Policy) are not served.
 *
 * Endpoint ids are derived, not stored (src/config/names/endpoint-ids.ts): traffic events name
 * endpoints by the same ids.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { reservedAddrKind } from '../../config/documents/reserved-addr.ts';
import { httpsEdgeKind, tcpEdgeKind, tlsEdgeKind, type EdgeDoc } from '../../config/documents/edges.ts';
import { reservationOfPort } from '../../config/ownership/addrs.ts';
import { coveringReservations } from '../../config/ownership/hostnames.ts';
import { edgeEndpointId } from '../../config/names/endpoint-ids.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import { rfc3339 } from '../../store/timestamps.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../context.ts';
import { ErrorCode } from '../../errors/catalogue.ts';
import { ApiError, notFound } from '../errors.ts';
import type { LiveTunnel } from '../live-agents.ts';
import { listBody, pageOf, readPage } from '../paging.ts';
import { apiOrigin, ref, type Ref } from '../uri.ts';
import { httpsEdgePath, tcpEdgePath, tlsEdgePath } from './edges/edge-paths.ts';
import { reservedDomainPath } from './reserved-domains/reserved-domains.ts';
import { reservedAddrPath } from './reserved-addrs.ts';
import { liveRecords } from './tunnels.ts';

const path = '/endpoints';

/** Each edge kind's protocol and API path; HTTPS and TLS hostports name port 443. */
const edgeKinds: Record<string, { proto: 'https' | 'tls' | 'tcp'; path: string }> = {
  [httpsEdgeKind]: { proto: 'https', path: httpsEdgePath },
  [tlsEdgeKind]: { proto: 'tls', path: tlsEdgePath },
  [tcpEdgeKind]: { proto: 'tcp', path: tcpEdgePath },
};

/** One endpoint before it is read: what the list pages and filters by id. */
type Entry =
  | { id: string; type: 'ephemeral'; tunnel: LiveTunnel }
  | { id: string; type: 'edge'; edge: ResourceRecord<EdgeDoc>; hostport: string };

function agentEntry(tunnel: LiveTunnel): Entry {
  return { id: tunnel.endpointId, type: 'ephemeral', tunnel };
}

function edgeEntries(edge: ResourceRecord<EdgeDoc>): Entry[] {
  const named = edgeKinds[edge.kind]!.proto !== 'tcp';
  return edge.doc.hostports.map((hostport) => {
    const at = hostport.lastIndexOf(':');
    const served = named ? hostport.slice(0, at) : Number(hostport.slice(at + 1));
    return { id: edgeEndpointId(edge.id, served), type: 'edge', edge, hostport };
  });
}

/** Every endpoint of the account: its live agent endpoints and its edges' hostports. */
async function accountEntries(ctx: ApiContext): Promise<Entry[]> {
  const entries = [...ctx.deps.live.tunnels.values()]
    .filter((t) => t.session.accountId === ctx.account.id && t.proto !== 'labeled')
    .map(agentEntry);
  for (let beforeId: string | undefined; ;) {
    const page = await ctx.deps.store.resources.list<EdgeDoc>(ctx.account.id, Object.keys(edgeKinds), {
      limit: 500,
      ...(beforeId && { beforeId }),
    });
    for (const edge of page) entries.push(...edgeEntries(edge));
    if (page.length < 500) return entries;
    beforeId = page[page.length - 1]!.id;
  }
}

/** `?ids=` and `?urls=`: repeated, or comma-separated; absent or empty keeps every endpoint. */
function listArg(value: unknown): Set<string> | undefined {
  const items = ([] as unknown[])
    .concat(value ?? [])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return items.length ? new Set(items) : undefined;
}

/** The reserved domain (exact or wildcard) of the account that covers `host`, or null. */
async function domainRef(ctx: ApiContext, host: string): Promise<Ref | null> {
  const own = (await coveringReservations(ctx.deps.store, host)).find((r) => r.account_id === ctx.account.id);
  return own ? ref(ctx.req, reservedDomainPath, own.id) : null;
}

/** The account's reserved address for `port`, or null. */
async function addrRef(ctx: ApiContext, port: number): Promise<Ref | null> {
  const own = await reservationOfPort(ctx.deps.store, port);
  return own?.account_id === ctx.account.id && own.kind === reservedAddrKind
    ? ref(ctx.req, reservedAddrPath, own.id)
    : null;
}

/** The public URL of an edge hostport: HTTPS and TLS hostports are served on the HTTPS listener. */
function edgeUrl(ctx: ApiContext, entry: Extract<Entry, { type: 'edge' }>): URL {
  const proto = edgeKinds[entry.edge.kind]!.proto;
  if (proto === 'tcp') return new URL(`tcp://${entry.hostport}`);
  const host = entry.hostport.slice(0, entry.hostport.lastIndexOf(':'));
  const served = ctx.deps.httpsPort?.() ?? 443;
  return new URL(`${proto}://${host}${served === 443 ? '' : `:${served}`}`);
}

/** Port of a URL, the scheme's default when it names none. */
function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'http:' ? 80 : 443;
}

async function readEntry(ctx: ApiContext, entry: Entry): Promise<Record<string, unknown>> {
  const agent = entry.type === 'ephemeral' ? entry.tunnel : undefined;
  const edge = entry.type === 'edge' ? entry.edge : undefined;
  const proto = agent ? agent.proto : edgeKinds[edge!.kind]!.proto;
  const url = entry.type === 'ephemeral' ? new URL(entry.tunnel.url) : edgeUrl(ctx, entry);
  const host = url.hostname;
  const port = portOf(url);
  const publicUrl = agent ? agent.url : url.href.replace(/\/$/, '');
  const createdAt = agent ? agent.startedAt : new Date(edge!.created_at);
  return {
    id: entry.id,
    region: ctx.deps.region,
    created_at: rfc3339(createdAt),
    updated_at: rfc3339(agent ? agent.updatedAt : createdAt),
    public_url: publicUrl,
    proto,
    scheme: proto,
    hostport: `${host}:${port}`,
    host,
    port,
    type: entry.type,
    metadata: agent ? agent.metadata : (edge!.doc.metadata ?? ''),
    description: agent ? agent.description : (edge!.doc.description ?? ''),
    name: agent ? agent.name : '',
    domain: proto === 'tcp' ? null : await domainRef(ctx, host),
    tcp_addr: proto === 'tcp' ? await addrRef(ctx, port) : null,
    tunnel: agent ? ref(ctx.req, '/tunnels', agent.id) : null,
    edge: edge ? ref(ctx.req, edgeKinds[edge.kind]!.path, edge.id) : null,
    upstream_url: agent ? agent.forwardsTo : '',
    upstream_protocol: agent ? agent.forwardsProto || (proto === 'http' || proto === 'https' ? 'http1' : '') : '',
    url: publicUrl,
    principal: null,
    traffic_policy: '',
    bindings: ['public'],
    tunnel_session: agent ? ref(ctx.req, '/tunnel_sessions', agent.session.id) : null,
    uri: `${apiOrigin(ctx.req)}${path}/${entry.id}`,
    pooling_enabled: agent ? agent.poolingEnabled : false,
  };
}

/** The account's endpoint with the id in `params`; 404 when it has none. */
async function find(ctx: ApiContext, params: unknown): Promise<Entry> {
  const id = (params as { id: string }).id;
  const entry = (await accountEntries(ctx)).find((e) => e.id === id);
  if (!entry) throw notFound();
  return entry;
}

/** Endpoints: `GET /endpoints` (with ngrok's `ids` and `urls` filters) and `GET /endpoints/{id}`; creating, changing and deleting refused. */
export function registerEndpoints(app: FastifyInstance, deps: ApiDeps): void {
  app.get(path, async (req) => {
    const ctx = contextOf(req, deps);
    const page = pageOf(req);
    const query = req.query as Record<string, unknown>;
    const ids = listArg(query.ids);
    const urls = listArg(query.urls);
    let entries = await accountEntries(ctx);
    if (ids) entries = entries.filter((e) => ids.has(e.id));
    const read = (e: Entry) => readEntry(ctx, e);
    if (!urls) return listBody(req, 'endpoints', page, await readPage(page, liveRecords(entries), read));
    // A URL is known only once read: read them all, then page what matches.
    const matching = (await Promise.all(entries.map(async (e) => ({ e, body: await read(e) })))).filter(({ body }) =>
      urls.has(String(body.public_url)),
    );
    const bodies = new Map(matching.map(({ e, body }) => [e, body]));
    return listBody(
      req,
      'endpoints',
      page,
      await readPage(page, liveRecords(matching.map(({ e }) => e)), (e) => bodies.get(e)!),
    );
  });

  // ngrok serves these for cloud endpoints only; each answers why, rather than "not found".
  app.post(path, { config: { ignoresBody: true } }, async () => {
    throw new ApiError(
      ErrorCode.ERR_CLOUD_ENDPOINTS_UNSUPPORTED,
      'Cloud endpoints cannot be created on this edge; bind an agent endpoint, or create an edge (/edges/https, /edges/tls, /edges/tcp)',
    );
  });
  const refuseChange = async (req: FastifyRequest) => {
    const endpoint = await find(contextOf(req, deps), req.params);
    throw new ApiError(
      ErrorCode.ERR_CLOUD_ENDPOINTS_UNSUPPORTED,
      endpoint.type === 'edge'
        ? `${endpoint.id} is a hostport of edge ${endpoint.edge.id}; change or delete it through the edge`
        : `${endpoint.id} is an agent endpoint; its agent changes it (PatchTunnelState) or closes it`,
    );
  };
  app.patch(`${path}/:id`, { config: { ignoresBody: true } }, async (req) => refuseChange(req));
  app.delete(`${path}/:id`, async (req) => refuseChange(req));

  app.get(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    return readEntry(ctx, await find(ctx, req.params));
  });
}
