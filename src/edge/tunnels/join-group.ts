import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { BindRequest } from '../../protocol/messages.ts';
import { mayTakeOver } from './bind-answers.ts';
import type { EndpointGroup, EndpointKind } from './endpoint-group.ts';
import type { Tunnel, TunnelSession } from './tunnel.ts';

/**
 * Decides whether a bind may join the group already serving its name or port: the same account
 * reclaiming a held or stale endpoint (same bind id, whose old tunnel `removeStale` takes away),
 * or pooling on both sides. Anything else is taken. Undefined when there is no group yet.
 */
export function joinGroup(
  group: EndpointGroup | undefined,
  session: TunnelSession,
  bind: BindRequest,
  kind: EndpointKind,
  name: string,
  removeStale: (tunnel: Tunnel) => void,
): EndpointGroup | undefined {
  if (!group) return undefined;
  const code = kind === 'tcp' ? ErrorCode.ERR_ADDR_TAKEN : ErrorCode.ERR_HOSTNAME_TAKEN;
  if (group.accountId !== session.accountId || group.kind !== kind) throw new PorticoError(code, `"${name}"`);
  const stale = group.tunnels.find((t) => t.id === bind.id && bind.id !== '' && mayTakeOver(t, session));
  if (stale) removeStale(stale);
  if (group.tunnels.length === 0) {
    group.pooled = bind.poolingEnabled;
    return group;
  }
  if (group.pooled && bind.poolingEnabled) return group;
  throw new PorticoError(code, `"${name}"`);
}
