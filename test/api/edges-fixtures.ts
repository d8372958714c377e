/** What the edge API tests need around edges: backends, IP policies, CAs, domains, error matchers. */
import type { Ngrok } from '@ngrok/ngrok-api';
import type { TestEdge } from '../support/edge.ts';

/** The TS client types map fields as Map, but sends a Map as {}: tests pass plain objects. */
export const asMap = <V>(o: Record<string, V>) => o as unknown as Map<string, V>;

/** Matches a client rejection by error code. */
export const errorCode = (code: string) => (e: { errorCode?: string }) => e.errorCode === code;

/** Matches a client rejection by HTTP status. */
export const status = (code: number) => (e: { statusCode?: number }) => e.statusCode === code;

/** The references a route or edge module can point at, all made through the API. */
export async function fixtures(
  edge: TestEdge,
  ngrok: Ngrok,
): Promise<{ backendId: string; policyId: string; caId: string }> {
  const backend = await ngrok.backends.tunnelGroupBackends.create({
    labels: asMap({ app: 'edges' }),
    description: 'edges test',
  });
  const policy = await ngrok.ipPolicies.create({ description: 'edges test' });
  const ca = await ngrok.certificateAuthorities.create({ caPem: edge.caPem, description: 'edges test' });
  return { backendId: backend.id, policyId: policy.id, caId: ca.id };
}
