import { StreamType } from '../../protocol/messages.ts';
import { encodeProxyHeader } from '../../protocol/proxy-header.ts';
import type { StreamOrigin, Tunnel } from './tunnel.ts';

/** A proxy stream to `tunnel`'s agent, opened with the header telling it where the connection came from. */
export function openProxyStream(tunnel: Tunnel, target: StreamOrigin) {
  const stream = tunnel.session.mux.openStream(StreamType.Proxy);
  stream.write(
    encodeProxyHeader({
      Id: tunnel.id,
      ClientAddr: target.clientAddr,
      Proto: target.proto,
      EdgeType: target.edgeType ?? '',
      PassthroughTLS: target.passthroughTls,
    }),
  );
  return stream;
}
