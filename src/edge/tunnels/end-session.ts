import type { PorticoError } from '../../errors/catalogue.ts';
import { MuxErrorCode } from '../../protocol/frame.ts';
import { rpcError } from '../../protocol/messages.ts';
import type { TunnelSession } from './tunnel.ts';

/** Ends an agent's session with a GOAWAY naming `why` (its code and ngrok's), as a refused Auth would. */
export function endSessionWith(session: TunnelSession, why: PorticoError): void {
  session.mux.goAway(MuxErrorCode.NONE, rpcError(why.code, why.message).Error);
}
