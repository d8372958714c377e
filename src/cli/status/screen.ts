/**
 * The agent's status screen as text, laid out as ngrok's agent lays out its console: a title,
 * the session fields, one Forwarding line per tunnel, the connection counters and the most
 * recent HTTP requests, newest first. Pure: the same view and size give the same lines.
 */
import type { HttpRequestRecord } from '../../agent/traffic/traffic.ts';
import type { StatusView } from './status-view.ts';

export interface ScreenSize {
  /** Terminal width in characters. */
  columns: number;
  /** Terminal height in lines. */
  rows: number;
}

/** Width of the label column ("Session Status" … "Forwarding"), as ngrok's. */
const labelWidth = 30;
/** Width of each counter column. */
const counterWidth = 8;

/** The screen's lines, each at most `size.columns` wide, at most `size.rows` of them. */
export function renderScreen(view: StatusView, size: ScreenSize): string[] {
  const lines = [
    title(size.columns),
    '',
    field('Session Status', view.status),
    field('Account', view.account || '-'),
    field('Version', view.version),
    field('Region', view.region || '-'),
    field('Latency', view.latencyMs === undefined ? '-' : `${view.latencyMs.toFixed(2)}ms`),
    ...(view.inspectorUrl ? [field('Web Interface', view.inspectorUrl)] : []),
    ...view.forwarding.map((f) => field('Forwarding', `${f.from} -> ${f.to}`)),
    ...view.notices.map((n) => field('Notice', n)),
    '',
    ...counters(view),
    '',
    'HTTP Requests',
    '-------------',
    '',
  ];
  const room = Math.max(0, size.rows - lines.length);
  lines.push(...view.requests.slice(0, room).map(requestLine));
  return lines.slice(0, Math.max(1, size.rows)).map((line) => fit(line, size.columns));
}

function title(columns: number): string {
  const left = 'portico';
  const right = '(Ctrl+C to quit)';
  return `${left}${' '.repeat(Math.max(1, columns - left.length - right.length))}${right}`;
}

function field(label: string, value: string): string {
  return `${label.padEnd(labelWidth)}${value}`;
}

function counters(view: StatusView): string[] {
  const c = view.connections;
  const values = [
    String(c.total),
    String(c.open),
    c.rate1m.toFixed(2),
    c.rate5m.toFixed(2),
    c.p50s.toFixed(2),
    c.p90s.toFixed(2),
  ];
  const row = (cells: string[]) =>
    cells
      .map((cell) => cell.padEnd(counterWidth))
      .join('')
      .trimEnd();
  return [field('Connections', row(['ttl', 'opn', 'rt1', 'rt5', 'p50', 'p90'])), field('', row(values))];
}

function requestLine(r: HttpRequestRecord): string {
  const what = `${r.method} ${r.path}`;
  const outcome =
    r.status === undefined ? `--- ${r.error ?? 'no response'}` : `${r.status} ${r.statusText ?? ''}`.trimEnd();
  return `${fit(what, labelWidth - 1).padEnd(labelWidth)}${outcome.padEnd(23)} ${duration(r.durationMs)}`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Cuts `line` to `width` characters, marking the cut with an ellipsis. Control characters
 * become `?`: a request path is the client's text, and must not drive the terminal.
 */
function fit(line: string, width: number): string {
  if (width <= 0) return '';
  const safe = line.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return safe.length <= width ? safe : `${safe.slice(0, Math.max(0, width - 1))}…`;
}
