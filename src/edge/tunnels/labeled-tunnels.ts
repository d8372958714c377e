import type { Tunnel } from './tunnel.ts';

/** The labeled tunnels, which tunnel-group backends select from. */
export class LabeledTunnels {
  private readonly tunnels = new Set<Tunnel>();
  private changes = 0;

  /**
   * Goes up whenever a labeled tunnel comes or goes, so a tunnel-group backend can keep its
   * matching set between changes instead of searching on every request.
   */
  get version(): number {
    return this.changes;
  }

  add(tunnel: Tunnel): void {
    this.tunnels.add(tunnel);
    this.changes++;
  }

  delete(tunnel: Tunnel): void {
    if (this.tunnels.delete(tunnel)) this.changes++;
  }

  /** Labeled tunnels (of one account, when given) whose labels include every one of `labels`. */
  matching(labels: Record<string, string>, accountId?: string): Tunnel[] {
    const wanted = Object.entries(labels);
    return [...this.tunnels].filter(
      (t) =>
        t.labels &&
        (accountId === undefined || t.session.accountId === accountId) &&
        wanted.every(([k, v]) => t.labels![k] === v),
    );
  }
}
