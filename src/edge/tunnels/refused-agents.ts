import type { AccountRestrictions } from '../../config/ip-rules/account-restrictions.ts';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import { endSessionWith } from './end-session.ts';
import type { TunnelSession } from './tunnel.ts';

/**
 * Ends the sessions of agents whose account's `agent` IP restrictions, as they now stand, refuse
 * their address: a restriction made or tightened after an agent connected takes it off too (a
 * leaked authtoken used from elsewhere stops working at once). Each gets a GOAWAY naming
 * ERR_NGROK_115, and its Auth is refused if it reconnects from there.
 */
export function endRefusedSessions(
  sessions: Iterable<TunnelSession>,
  restrictions: AccountRestrictions,
  logger: Logger,
): void {
  for (const session of sessions) {
    if (!restrictions.restricts(session.accountId, 'agent')) continue;
    const ip = session.clientAddr.slice(0, session.clientAddr.lastIndexOf(':'));
    if (restrictions.admits(session.accountId, 'agent', ip)) continue;
    logger.warn("agent session ended: the account's agent IP restriction refuses its address", {
      session: session.id,
      ip,
    });
    endSessionWith(session, new PorticoError(ErrorCode.ERR_AGENT_IP_RESTRICTED, `the agent connects from ${ip}`));
  }
}
