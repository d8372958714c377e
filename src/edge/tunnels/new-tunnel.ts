import { agentEndpointId } from '../../config/names/endpoint-ids.ts';
import type { TunnelProto } from '../../protocol/messages.ts';
import { openProxyStream } from './proxy-stream.ts';
import type { StreamOrigin, Tunnel, TunnelSession } from './tunnel.ts';

/** A tunnel of `session` with id `id`, started now: empty fields unless `rest` sets them. */
export function newTunnel(
  id: string,
  session: TunnelSession,
  proto: TunnelProto | 'labeled',
  url: string,
  rest: Partial<Tunnel>,
): Tunnel {
  const startedAt = new Date();
  const tunnel: Tunnel = {
    id,
    endpointId: agentEndpointId({ id, startedAt }),
    session,
    proto,
    url,
    forwardsTo: '',
    forwardsProto: '',
    metadata: '',
    name: '',
    description: '',
    poolingEnabled: false,
    startedAt,
    updatedAt: startedAt,
    ...rest,
    openStream: (target: StreamOrigin) => openProxyStream(tunnel, target),
  };
  return tunnel;
}
