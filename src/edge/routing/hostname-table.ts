/**
 * Hostname lookup: an exact name first, then the most specific wildcard. With `*.example.com`,
 * `*.bar.example.com` and `foo.bar.example.com` present, `foo.bar.example.com` finds its own,
 * `x.bar.example.com` finds `*.bar.example.com` and `a.b.c.example.com` finds `*.example.com`.
 */
export class HostnameTable<T> {
  private readonly entries = new Map<string, T>();

  get(name: string): T | undefined {
    return this.entries.get(name);
  }

  set(name: string, value: T): void {
    this.entries.set(name, value);
  }

  delete(name: string): boolean {
    return this.entries.delete(name);
  }

  values(): IterableIterator<T> {
    return this.entries.values();
  }

  /** The entry serving `host`: exact match, else the longest wildcard suffix. */
  match(host: string): T | undefined {
    return this.matchEntry(host)?.value;
  }

  /** Like match(), with the name that matched (`host` itself or a `*.` wildcard). */
  matchEntry(host: string): { name: string; value: T } | undefined {
    const exact = this.entries.get(host);
    if (exact !== undefined) return { name: host, value: exact };
    // Walk up one label at a time so the first wildcard found is the most specific one.
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      const name = '*' + host.slice(dot);
      const hit = this.entries.get(name);
      if (hit !== undefined) return { name, value: hit };
    }
    return undefined;
  }
}

/**
 * How specific a matched name is: an exact name beats every wildcard, and a longer wildcard
 * beats a shorter one. Used to choose between tables (edges and agent endpoints).
 */
export function specificity(name: string): number {
  return name.startsWith('*.') ? name.length : Number.MAX_SAFE_INTEGER;
}
