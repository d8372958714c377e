import type { FastifyInstance } from 'fastify';
import type { LiveTunnel } from '../live-agents.ts';
import { rfc3339 } from '../../store/timestamps.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../context.ts';
import { notFound } from '../errors.ts';
import { listBody, pageOf, readPage, type FetchRecords } from '../paging.ts';
import { ref, type Ref } from '../uri.ts';
import { tunnelGroupBackend } from './backends/backend-kinds.ts';
import type { TunnelGroupBackendDoc } from './backends/tunnel-group.ts';

const path = '/tunnels';

/**
 * Reads a live (in-memory) list in the store's order for readPage: newest id first, only ids
 * before `beforeId`, at most `limit` of them.
 */
export function liveRecords<T extends { id: string }>(items: Iterable<T>): FetchRecords<T> {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return async (beforeId, limit) => sorted.filter((item) => !beforeId || item.id < beforeId).slice(0, limit);
}

/** The account's live tunnels. */
function accountTunnels(ctx: ApiContext): LiveTunnel[] {
  return [...ctx.deps.live.tunnels.values()].filter((t) => t.session.accountId === ctx.account.id);
}

/** Every tunnel-group backend of the account (tunnels list the ones they serve). */
async function tunnelGroups(ctx: ApiContext) {
  const all = [];
  for (let beforeId: string | undefined; ;) {
    const page = await ctx.deps.store.resources.list<TunnelGroupBackendDoc>(ctx.account.id, tunnelGroupBackend.kind, {
      limit: 500,
      ...(beforeId && { beforeId }),
    });
    all.push(...page);
    if (page.length < 500) return all;
    beforeId = page[page.length - 1]!.id;
  }
}

/** The read shape of a tunnel; `groups` are the account's tunnel-group backends. */
function readTunnel(
  ctx: ApiContext,
  t: LiveTunnel,
  groups: Awaited<ReturnType<typeof tunnelGroups>>,
): Record<string, unknown> {
  const labeled = t.proto === 'labeled';
  const backends: Ref[] = labeled
    ? groups
        .filter((g) => Object.entries(g.doc.labels).every(([k, v]) => t.labels?.[k] === v))
        .map((g) => ref(ctx.req, tunnelGroupBackend.path, g.id))
    : [];
  return {
    id: t.id,
    // Every field ngrok documents is present: a labeled tunnel has no URL, protocol or endpoint
    // of its own ("", null), an agent endpoint has no labels ({}) and serves no tunnel-group
    // backend ([]); its endpoint is the one /endpoints lists.
    public_url: labeled ? '' : t.url,
    started_at: rfc3339(t.startedAt),
    metadata: t.metadata ?? '',
    proto: labeled ? '' : t.proto,
    region: ctx.deps.region,
    tunnel_session: ref(ctx.req, '/tunnel_sessions', t.session.id),
    endpoint: labeled ? null : ref(ctx.req, '/endpoints', t.endpointId),
    labels: labeled ? { ...t.labels } : {},
    backends,
    forwards_to: t.forwardsTo ?? '',
  };
}

/** Tunnels: read-only, the live binds of this account's agents (endpoints and labeled tunnels). */
export function registerTunnels(app: FastifyInstance, deps: ApiDeps): void {
  app.get(path, async (req) => {
    const ctx = contextOf(req, deps);
    const page = pageOf(req);
    const groups = await tunnelGroups(ctx);
    const tunnels = await readPage(page, liveRecords(accountTunnels(ctx)), (t) => readTunnel(ctx, t, groups));
    return listBody(req, 'tunnels', page, tunnels);
  });

  app.get(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    const tunnel = deps.live.tunnels.get((req.params as { id: string }).id);
    if (!tunnel || tunnel.session.accountId !== ctx.account.id) throw notFound();
    return readTunnel(ctx, tunnel, await tunnelGroups(ctx));
  });
}
