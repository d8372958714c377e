/** A route's path selector, as the API stores it. */
export interface PathSelector {
  /** `exact_path` or `path_prefix`. */
  matchType: string;
  /** "/blog", or host-qualified: "example.com" / "example.com/blog". */
  match: string;
}

interface Entry<T> {
  host: string | undefined;
  path: string;
  exact: boolean;
  value: T;
}

/**
 * Picks a route by path: an exact match first, else the longest matching prefix; a selector
 * qualified with a host only applies to requests for that host and beats an unqualified one
 * of the same kind and length. Built once per snapshot; matching does no parsing.
 */
export class PathRouter<T> {
  private readonly exact = new Map<string, T>();
  private readonly prefixes: Array<Entry<T>>;

  constructor(routes: ReadonlyArray<PathSelector & { value: T }>) {
    const entries = routes.map((r) => toEntry(r));
    for (const e of entries.filter((x) => x.exact)) {
      const key = `${e.host ?? ''} ${e.path}`;
      if (!this.exact.has(key)) this.exact.set(key, e.value);
    }
    // Longest first; host-qualified before unqualified at equal length.
    this.prefixes = entries
      .filter((x) => !x.exact)
      .sort((a, b) => b.path.length - a.path.length || Number(b.host !== undefined) - Number(a.host !== undefined));
  }

  match(host: string, path: string): T | undefined {
    const exact = this.exact.get(`${host} ${path}`) ?? this.exact.get(` ${path}`);
    if (exact !== undefined) return exact;
    for (const p of this.prefixes)
      if ((p.host === undefined || p.host === host) && path.startsWith(p.path)) return p.value;
    return undefined;
  }
}

function toEntry<T>(r: PathSelector & { value: T }): Entry<T> {
  const slash = r.match.indexOf('/');
  const host = slash === 0 ? undefined : (slash === -1 ? r.match : r.match.slice(0, slash)).toLowerCase();
  const path = slash === -1 ? '/' : r.match.slice(slash);
  return { host, path, exact: r.matchType === 'exact_path', value: r.value };
}
