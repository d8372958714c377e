/** Top self-time functions of a V8 .cpuprofile (as written by the inspector's Profiler). */
import { readFile } from 'node:fs/promises';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  fn: string;
  /** file:line:column, relative to the repository when inside it. */
  where: string;
  ms: number;
  /** Share of all samples, idle included. */
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  idlePercent: number;
  top: SelfTime[];
  /** Self time by where the code lives: native (C++, syscalls, GC), node:*, a package, a src/ folder. */
  areas: Array<{ area: string; percent: number }>;
}

const repoRoot = new URL('..', import.meta.url).href;

export async function summarizeProfile(path: string, n = 10): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const hits = new Map<string, SelfTime & { hits: number }>();
  let total = 0;
  for (const node of profile.nodes) {
    const count = node.hitCount ?? 0;
    total += count;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    // Positions in files run through tsx are in its transpiled output, close to the source lines.
    const where = url
      ? `${url.replace(repoRoot, '').replace('file://', '')}:${lineNumber + 1}:${columnNumber + 1}`
      : '';
    const key = `${functionName}@${where}`;
    const entry = hits.get(key) ?? { fn: functionName || '(anonymous)', where, ms: 0, percent: 0, hits: 0 };
    entry.hits += count;
    hits.set(key, entry);
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerHit = total ? totalMs / total : 0;
  const all = [...hits.values()].map((e) => ({
    fn: e.fn,
    where: e.where,
    ms: e.hits * msPerHit,
    percent: total ? (100 * e.hits) / total : 0,
  }));
  const idle = all.filter((e) => e.fn === '(idle)').reduce((s, e) => s + e.percent, 0);
  const top = all
    .filter((e) => e.fn !== '(idle)')
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
  const areas = new Map<string, number>();
  for (const e of all) if (e.fn !== '(idle)') areas.set(areaOf(e), (areas.get(areaOf(e)) ?? 0) + e.percent);
  const byArea = [...areas].map(([area, percent]) => ({ area, percent })).sort((a, b) => b.percent - a.percent);
  return { totalMs, idlePercent: idle, top, areas: byArea };
}

function areaOf(e: SelfTime): string {
  if (!e.where) return e.fn.startsWith('(') ? e.fn : 'native (C++ bindings: syscalls, TLS, copies)';
  if (e.where.startsWith('node:')) return 'node: internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(e.where);
  if (pkg) return pkg[1]!;
  return e.where.replace(/\/[^/]*$/, '/');
}

export function formatProfile(name: string, summary: ProfileSummary): string {
  const lines = [
    `${name}: ${(summary.totalMs / 1000).toFixed(1)} s profiled, ${summary.idlePercent.toFixed(1)}% idle; top self time:`,
  ];
  for (const e of summary.top)
    lines.push(`  ${e.percent.toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(6)} ms  ${e.fn}  ${e.where}`);
  lines.push(
    '  by area: ' +
      summary.areas
        .slice(0, 6)
        .map((a) => `${a.area} ${a.percent.toFixed(1)}%`)
        .join(', '),
  );
  return lines.join('\n');
}
