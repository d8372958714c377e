import type net from 'node:net';
import type { Reservations } from '../../config/ownership/reservations.ts';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { AddrClaims } from './addr-claims.ts';
import type { TcpListeners } from './registry.ts';

/**
 * Which public TCP port an account may bind: a reserved one it owns, or one the edge gave it at
 * random before (remembered by this process, or proved by the signed tunnel id after a restart).
 */
export class TcpPorts {
  /** The account each port was last given to. */
  private readonly lastAssigned = new Map<number, string>();

  constructor(
    private readonly tcp: TcpListeners,
    private readonly reservations: Reservations,
    private readonly claims: AddrClaims,
  ) {}

  /**
   * A port an agent asks for (--remote-addr, or replayed on reconnect) must be reserved by its
   * account, unless the edge gave it to the account at random before: the bind's tunnel id
   * claims it (also after an edge restart), or this process remembers the assignment.
   */
  async checkRequested(accountId: string, port: number, bindId: string): Promise<void> {
    const holder = await this.reservations.addrHolder(accountId, port);
    if (holder === 'own') return;
    if (holder === 'other') throw new PorticoError(ErrorCode.ERR_NGROK_309, `port ${port}`);
    const last = this.lastAssigned.get(port);
    if (last === accountId || (last === undefined && this.claims.verify(bindId, accountId, port))) return;
    throw new PorticoError(ErrorCode.ERR_NGROK_307, `port ${port}`);
  }

  /** Opens `port`, or a random port that no account reserved (reserved ones are kept for their owners). */
  async open(port: number, onConnection: (socket: net.Socket) => void): Promise<{ port: number; close(): void }> {
    for (let attempt = 1; ; attempt++) {
      const listener = await this.tcp.open(port, onConnection);
      if (port || (await this.reservations.addrHolder('', listener.port)) === 'none') return listener;
      listener.close();
      if (attempt >= 20) throw new PorticoError(ErrorCode.ERR_ADDR_EXHAUSTED, 'every free port tried is reserved');
    }
  }

  assigned(port: number, accountId: string): void {
    this.lastAssigned.set(port, accountId);
  }

  /** A tunnel id proving `port` was given to `accountId` at random (addr-claims.ts). */
  claim(accountId: string, port: number): string {
    return this.claims.issue(accountId, port);
  }
}
