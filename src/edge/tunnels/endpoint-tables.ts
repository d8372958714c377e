/**
 * The tables public listeners look agent endpoints up in: host names on the plain-HTTP port,
 * host names on the HTTPS port (https and tls endpoints), and TCP ports with their listeners.
 * A group stays in its table while it has tunnels, and for the grace period after (held for a
 * reconnect); the registry decides when, these tables only hold and forget.
 */
import { namesOverlap } from '../../config/names/hostname.ts';
import { HostnameTable } from '../routing/hostname-table.ts';
import type { EndpointGroup } from './endpoint-group.ts';

export class EndpointTables {
  readonly http = new HostnameTable<EndpointGroup>();
  readonly https = new HostnameTable<EndpointGroup>();
  /** TCP endpoints by public port, with the listener that serves it. */
  readonly tcp = new Map<number, { group: EndpointGroup; close(): void }>();

  /** The host table of an http, https or tls endpoint. */
  hosts(kind: 'http' | 'https' | 'tls'): HostnameTable<EndpointGroup> {
    return kind === 'http' ? this.http : this.https;
  }

  /**
   * Accounts whose endpoints, live or held for a reconnect, can serve a host that `name` names:
   * the same name, a name under it when `name` is a wildcard, or a wildcard endpoint covering it.
   */
  hostnameHolders(name: string): Set<string> {
    const holders = new Set<string>();
    for (const table of [this.http, this.https]) {
      for (const group of table.values()) if (namesOverlap(group.key, name)) holders.add(group.accountId);
    }
    return holders;
  }

  /** The account whose TCP endpoint, live or held for a reconnect, has `port`; undefined when none. */
  portHolder(port: number): string | undefined {
    return this.tcp.get(port)?.group.accountId;
  }

  /** Forgets an emptied group: its name is free again, its TCP listener closed. */
  drop(group: EndpointGroup): void {
    if (group.tunnels.length > 0) return;
    if (group.graceTimer) clearTimeout(group.graceTimer);
    group.graceTimer = undefined;
    if (group.kind === 'tcp') {
      const entry = this.tcp.get(Number(group.key));
      if (entry?.group === group) {
        entry.close();
        this.tcp.delete(Number(group.key));
      }
      return;
    }
    const table = this.hosts(group.kind);
    if (table.get(group.key) === group) table.delete(group.key);
  }

  /** Forgets every emptied group of `accountId` at once, held for a reconnect or not (a deleted account). */
  dropAccount(accountId: string): void {
    const groups = [...this.http.values(), ...this.https.values(), ...[...this.tcp.values()].map((e) => e.group)];
    for (const group of groups) if (group.accountId === accountId) this.drop(group);
  }

  /** Stops every grace timer and closes every TCP listener (edge shutdown). */
  close(): void {
    for (const { group, close } of this.tcp.values()) {
      if (group.graceTimer) clearTimeout(group.graceTimer);
      close();
    }
    for (const table of [this.http, this.https]) {
      for (const group of table.values()) if (group.graceTimer) clearTimeout(group.graceTimer);
    }
    this.tcp.clear();
  }
}
