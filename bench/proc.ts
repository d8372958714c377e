/** Resident memory and CPU time of bench processes, from /proc (Linux). */
import { readFileSync } from 'node:fs';

/** VmRSS in MiB, or NaN when it cannot be read (process gone, not Linux). */
export function rssMiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface RssPeaks {
  /** Highest RSS seen per process name, MiB. */
  peak: Record<string, number>;
  /** Highest sum over all processes in one sample, MiB. */
  peakSum: number;
}

/** Samples `pids` every `intervalMs` until the returned stop() is called. */
export function sampleRss(pids: Record<string, number>, intervalMs = 200): () => RssPeaks {
  const peaks: RssPeaks = { peak: Object.fromEntries(Object.keys(pids).map((k) => [k, 0])), peakSum: 0 };
  const sample = () => {
    let sum = 0;
    for (const [name, pid] of Object.entries(pids)) {
      const mib = rssMiB(pid);
      sum += mib;
      peaks.peak[name] = Math.max(peaks.peak[name] ?? 0, mib);
    }
    peaks.peakSum = Math.max(peaks.peakSum, sum);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return () => {
    clearInterval(timer);
    sample();
    return peaks;
  };
}

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on. */
const ticksPerSecond = 100;

/** User + system CPU seconds `pid` has used so far, or NaN. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/** Starts counting CPU time of `pids`; the returned function gives the seconds used since. */
export function countCpu(pids: Record<string, number>): () => Record<string, number> {
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  return () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid) - (start[k] ?? NaN)]));
}
