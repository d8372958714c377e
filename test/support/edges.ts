import type { Ngrok } from '@ngrok/ngrok-api';

/** The client types maps as `Map`, but sends a JS Map as `{}`; a plain object goes through intact. */
export function asMap<V>(obj: Record<string, V>): Map<string, V> {
  return obj as unknown as Map<string, V>;
}

/** An HTTP-response backend answering `body` with status 200. */
export async function httpResponseBackend(ngrok: Ngrok, body: string, statusCode = 200): Promise<string> {
  return (
    await ngrok.backends.httpResponseBackends.create({
      body,
      headers: asMap({ 'content-type': 'text/plain' }),
      statusCode,
    })
  ).id;
}

export async function tunnelGroupBackend(ngrok: Ngrok, labels: Record<string, string>): Promise<string> {
  return (await ngrok.backends.tunnelGroupBackends.create({ labels: asMap(labels) })).id;
}

/** An HTTPS edge on `hostports` with one route per entry of `routes`. */
export async function httpsEdge(
  ngrok: Ngrok,
  hostports: string[],
  routes: Array<{ matchType?: string; match?: string; backendId: string }>,
): Promise<{ id: string; routeIds: string[] }> {
  const edge = await ngrok.edges.edgesHttps.create({ hostports });
  const routeIds: string[] = [];
  for (const r of routes) {
    const route = await ngrok.edges.edgesHttpsRoutes.create({
      edgeId: edge.id,
      matchType: r.matchType ?? 'path_prefix',
      match: r.match ?? '/',
      backend: { backendId: r.backendId },
    });
    routeIds.push(route.id);
  }
  return { id: edge.id, routeIds };
}

/** Reserves each name for the client's account. */
export async function reserve(ngrok: Ngrok, ...domains: string[]): Promise<void> {
  // The client's type requires the deprecated `region`; the edge defaults it.
  for (const domain of domains)
    await ngrok.reservedDomains.create({ domain } as Parameters<Ngrok['reservedDomains']['create']>[0]);
}
