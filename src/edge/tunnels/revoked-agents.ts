import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import { ACCOUNT_KIND, CREDENTIAL_KIND, type StoreChange } from '../../store/changes.ts';
import type { TunnelRegistry } from './registry.ts';
import { endSessionWith } from './end-session.ts';
import type { TunnelSession } from './tunnel.ts';

/**
 * Ends the sessions that a deleted authtoken (`DELETE /credentials/{id}`) or a deleted account
 * (`portico account delete`) had let in: a revoked authtoken stops working at once, not at the
 * agent's next reconnect. Each gets a GOAWAY naming ERR_NGROK_107, as a reconnect's Auth would.
 * A deleted account's endpoints are freed at once.
 */
export function endRevokedSessions(registry: TunnelRegistry, change: StoreChange, logger: Logger): void {
  if (change.op !== 'deleted') return;
  const revokes =
    change.kind === ACCOUNT_KIND
      ? (s: TunnelSession) => s.accountId === change.id
      : change.kind === CREDENTIAL_KIND
        ? (s: TunnelSession) => s.credentialId === change.id
        : undefined;
  if (!revokes) return;
  const what = change.kind === ACCOUNT_KIND ? 'its account was deleted' : 'its authtoken was deleted';
  for (const session of registry.sessions.values()) {
    if (!revokes(session)) continue;
    logger.info(`agent session ended: ${what}`, { session: session.id, credential: session.credentialId });
    endSessionWith(session, new PorticoError(ErrorCode.ERR_AUTHTOKEN_INVALID, what));
  }
  // A deleted account's names are not held for its agents' return: they cannot come back.
  if (change.kind === ACCOUNT_KIND) registry.forgetAccount(change.id);
}
