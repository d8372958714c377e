import { defaultTlsPolicy, type TlsPolicy } from '../../config/compile/tls-policy.ts';
import type { Tunnel } from './tunnel.ts';

/** How a public name or port is served: HTTP on the HTTP port, HTTPS or TLS on the HTTPS port, TCP. */
export type EndpointKind = 'http' | 'https' | 'tls' | 'tcp';

/**
 * The tunnels that serve one public name or port. More than one only when every agent asked
 * for pooling; requests are then spread round-robin. An emptied group is held for its account
 * for a grace period so a reconnecting agent gets its URL back.
 */
export class EndpointGroup {
  readonly tunnels: Tunnel[] = [];
  private next = 0;
  private waiters: Array<() => void> = [];
  /** Set while the group has no tunnel and is held for its account. */
  graceTimer: NodeJS.Timeout | undefined;
  /**
   * https groups: the policy of handshakes on the name, its tunnels' (MutualTLSCA; pooled
   * tunnels agree). Kept while the group is held empty, so the name is never served without it.
   */
  tls: TlsPolicy = defaultTlsPolicy;

  constructor(
    readonly key: string,
    readonly kind: EndpointKind,
    readonly accountId: string,
    public pooled: boolean,
  ) {}

  add(tunnel: Tunnel): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.tunnels.push(tunnel);
    for (const wake of this.waiters.splice(0)) wake();
  }

  remove(tunnel: Tunnel): void {
    const i = this.tunnels.indexOf(tunnel);
    if (i !== -1) this.tunnels.splice(i, 1);
  }

  /** The next live tunnel, round-robin, or undefined when none is online. */
  pick(): Tunnel | undefined {
    const n = this.tunnels.length;
    for (let tries = 0; tries < n; tries++) {
      const tunnel = this.tunnels[this.next++ % n]!;
      if (!tunnel.session.mux.isClosed) return tunnel;
    }
    return undefined;
  }

  /** Resolves with a tunnel once one is online, or undefined after `timeoutMs`. */
  async waitForTunnel(timeoutMs: number): Promise<Tunnel | undefined> {
    const now = this.pick();
    if (now || timeoutMs <= 0) return now;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
    return this.pick();
  }
}
