/** The content codings the edge compresses with, preferred in this order when a client rates them equally. */
export const codings = ['gzip', 'deflate'] as const;

export type Coding = (typeof codings)[number];

/**
 * The coding to compress a response with for `header` (a request's Accept-Encoding), per RFC
 * 9110 §12.5.3: each coding with its q-value (default 1), `*` standing for codings not named,
 * q=0 meaning "not acceptable". The supported coding with the highest q wins, gzip on a tie;
 * undefined (identity) when the header is absent or accepts neither.
 */
export function negotiateCoding(header: string | undefined): Coding | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  let best: Coding | undefined;
  let bestQ = 0;
  for (const coding of codings) {
    const value = q.get(coding) ?? q.get('*') ?? 0;
    if (value > bestQ) [best, bestQ] = [coding, value];
  }
  return best;
}
