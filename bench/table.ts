/** One row of the printed table, how rows are made, and how the table is printed. */

export interface Row {
  metric: string;
  /** The same measured without Portico (or the baseline the metric names), when there is one. */
  direct: number | null;
  /** Through Portico (or the measured value). */
  tunnel: number;
  /** tunnel / direct. */
  ratio: number | null;
  target: string;
  /** null for rows without a target. */
  pass: boolean | null;
}

/** A row whose target is a ratio to `direct` (`ok` gets the ratio), or none (`ok` null). */
export function compare(
  metric: string,
  direct: number,
  tunnel: number,
  target: string,
  ok: ((ratio: number) => boolean) | null,
): Row {
  const ratio = direct > 0 ? tunnel / direct : NaN;
  return { metric, direct, tunnel, ratio, target, pass: ok && Number.isFinite(ratio) ? ok(ratio) : ok ? false : null };
}

/** A row with one value; with `max`, its target is "<= max unit". */
export function only(metric: string, value: number, max?: number, unit = ''): Row {
  if (max === undefined) return { metric, direct: null, tunnel: value, ratio: null, target: '', pass: null };
  return {
    metric,
    direct: null,
    tunnel: value,
    ratio: null,
    target: `<= ${max}${unit ? ` ${unit}` : ''}`,
    pass: Number.isFinite(value) ? value <= max : false,
  };
}

/** A row beside a baseline (`direct`) whose target is absolute: `value <= max`. */
export function beside(metric: string, baseline: number, value: number, max: number, unit: string): Row {
  return { ...compare(metric, baseline, value, '', null), target: `<= ${max} ${unit}`, pass: value <= max };
}

export function formatTable(rows: Row[]): string {
  const header = ['metric', 'direct', 'portico', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [
    r.metric,
    r.direct === null ? '-' : num(r.direct),
    num(r.tunnel),
    r.ratio === null || !Number.isFinite(r.ratio) ? '-' : `${r.ratio.toFixed(2)}x`,
    r.target || '-',
    r.pass === null ? '-' : r.pass ? 'PASS' : r.metric.startsWith('HTTP errors') ? 'FAIL' : 'BELOW',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function num(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (Number.isInteger(v)) return v.toString();
  if (Math.abs(v) >= 1000) return Math.round(v).toString();
  if (Math.abs(v) >= 100) return v.toFixed(1);
  return v.toFixed(2);
}
