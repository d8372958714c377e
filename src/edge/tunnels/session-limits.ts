/**
 * The account limits the data plane enforces (src/store/account-limits.ts): agent sessions per
 * account, checked at Auth, and tunnels per session, checked at each bind. Both read the limit
 * as they run, so `portico account limits` applies to the next Auth or bind.
 */
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { TunnelRegistry } from './registry.ts';
import type { TunnelSession } from './tunnel.ts';

/** What the data plane reads of an account's limits. */
export interface SessionLimits {
  /** Agent sessions the account may have at once. */
  max_sessions: number;
  /** Tunnels one session may bind. */
  max_tunnels_per_session: number;
}

/**
 * Throws ERR_NGROK_108 when the account already has `max` sessions. A resumed session (same
 * id, the agent reconnecting before the edge noticed the old connection die) replaces its
 * earlier self, so that one is not counted.
 */
export function checkSessionLimit(
  registry: Pick<TunnelRegistry, 'sessions'>,
  session: TunnelSession,
  max: number,
): void {
  let live = 0;
  for (const other of registry.sessions.values())
    if (other.accountId === session.accountId && other.id !== session.id) live++;
  if (live >= max)
    throw new PorticoError(
      ErrorCode.ERR_NGROK_108,
      `this account has ${live} of ${max}; one agent can run several tunnels (portico start --all)`,
    );
}

/** Counts one session's tunnels, and its binds still in flight, against its limit. */
export class TunnelLimit {
  #binding = 0;

  constructor(
    private readonly registry: Pick<TunnelRegistry, 'tunnels'>,
    private readonly session: TunnelSession,
    private readonly max: () => Promise<number>,
  ) {}

  /**
   * Runs `bind` when the session may have one more tunnel, else throws ERR_NGROK_324. `rebindId`
   * is the bind's `Id`: a rebind replaces the session's tunnel of that id, so it is not counted.
   */
  async bind<T>(rebindId: string, bind: () => Promise<T> | T): Promise<T> {
    const max = await this.max();
    // From here to the increment nothing awaits, so concurrent binds cannot both pass the check.
    let bound = 0;
    for (const tunnel of this.registry.tunnels.values())
      if (tunnel.session === this.session && (rebindId === '' || tunnel.id !== rebindId)) bound++;
    if (bound + this.#binding >= max)
      throw new PorticoError(ErrorCode.ERR_NGROK_324, `this session has ${bound + this.#binding} of ${max}`);
    this.#binding++;
    try {
      return await bind();
    } finally {
      this.#binding--;
    }
  }
}
