import type { TestContext } from 'node:test';
import type { Ngrok } from '@ngrok/ngrok-api';
import { type ForwardOptions } from '../../src/agent/forward.ts';
import { apiClient } from './api.ts';
import { httpsEdge, reserve, tunnelGroupBackend } from './edges.ts';
import type { TestEdge } from './edge.ts';
import { forwardTo } from './edge.ts';

/** An HTTPS edge route whose modules a test sets, and the URL that reaches it. */
export interface ModuleRoute {
  ngrok: Ngrok;
  /** What the module clients take: `{ edgeId, id }`. */
  at: { edgeId: string; id: string };
  url: string;
}

/**
 * Our agent as a labeled tunnel forwarding to `addr` (a local port, or `tcp://…`), and an HTTPS
 * edge on `host` whose one route goes to that tunnel group.
 */
export async function routeToAgent(
  t: TestContext,
  edge: TestEdge,
  host: string,
  addr: ForwardOptions['addr'],
): Promise<ModuleRoute> {
  const ngrok = apiClient(edge);
  await reserve(ngrok, host);
  const labels = { route: host };
  await forwardTo(t, edge, {
    addr,
    labels,
  });
  const { id: edgeId, routeIds } = await httpsEdge(
    ngrok,
    [`${host}:443`],
    [{ backendId: await tunnelGroupBackend(ngrok, labels) }],
  );
  return { ngrok, at: { edgeId, id: routeIds[0]! }, url: `https://${host}:${edge.ports.https}` };
}
