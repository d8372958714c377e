/**
 * The live status screen on a terminal: the alternate screen buffer, redrawn every second and
 * soon after each request or session change, restored when stopped (also on process exit).
 */
import type { AgentSession, DisconnectInfo } from '../../agent/session.ts';
import type { Listener, StopReason } from '../../agent/listener.ts';
import { renderScreen } from './screen.ts';
import { statusView } from './status-view.ts';
import type { SessionNews } from './status-view.ts';
import { shortReason } from './reason.ts';

/** The terminal the screen is drawn on (process.stdout when it is a TTY). */
export interface Terminal {
  write(text: string): unknown;
  /** Characters per line; default 80. */
  columns?: number;
  /** Lines; default 24. */
  rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

/** The most requests the screen lists (as many as fit below its fixed lines): AgentTraffic's recentRequests for it. */
export const screenRequests = 100;

export interface StatusConsoleOptions {
  /** Milliseconds between redraws when nothing happens. Default 1000. */
  refreshMs?: number;
  /** Milliseconds a redraw waits after a request or event, to draw bursts once. Default 100. */
  settleMs?: number;
  /** The traffic inspector's address, when one runs. Default none. */
  inspectorUrl?: string;
  /** Notices to show from the start (warnings printed before the screen took over). Default none. */
  notices?: string[];
}

export interface StatusConsole {
  /** Restores the terminal; idempotent. */
  stop(): void;
}

const enter = '\x1b[?1049h\x1b[?25l';
const leave = '\x1b[?25h\x1b[?1049l';
/** Notices kept on screen (the newest). */
const maxNotices = 3;

export function startStatusConsole(
  session: AgentSession,
  terminal: Terminal,
  o: StatusConsoleOptions = {},
): StatusConsole {
  const news: SessionNews = { notices: (o.notices ?? []).slice(-maxNotices) };
  let pending: NodeJS.Timeout | undefined;
  let stopped = false;
  const draw = () => {
    pending = undefined;
    if (stopped) return;
    const size = { columns: terminal.columns || 80, rows: terminal.rows || 24 };
    const view = statusView(session, news, size.rows);
    if (o.inspectorUrl) view.inspectorUrl = o.inspectorUrl;
    // Home, each line then "clear to end of line", then clear below: no flicker, no leftovers.
    terminal.write(`\x1b[H${renderScreen(view, size).join('\x1b[K\r\n')}\x1b[K\x1b[J`);
  };
  const soon = () => {
    pending ??= setTimeout(draw, o.settleMs ?? 100);
  };
  const unwatch = watchSession(session, news, soon);
  const interval = setInterval(draw, o.refreshMs ?? 1000);
  interval.unref();
  session.traffic?.on('request', soon);
  terminal.on('resize', draw);

  const restore = () => {
    terminal.write(leave);
  };
  process.once('exit', restore);
  terminal.write(enter);
  draw();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(interval);
      clearTimeout(pending);
      unwatch();
      session.traffic?.off('request', soon);
      terminal.off('resize', draw);
      process.off('exit', restore);
      restore();
    },
  };
}

/** Follows the session events that change what the screen says; returns the unsubscribe. */
function watchSession(session: AgentSession, news: SessionNews, changed: () => void): () => void {
  const notice = (text: string) => {
    news.notices = [...news.notices, text].slice(-maxNotices);
    changed();
  };
  const disconnected = (info: DisconnectInfo) => {
    news.lastError = info.error ? shortReason(info.error) : info.message;
    changed();
  };
  const reconnecting = (next: { attempt: number; delayMs: number }) => {
    news.attempt = next.attempt;
    news.nextAttemptAt = Date.now() + next.delayMs;
    changed();
  };
  const failed = (err: Error) => {
    news.lastError = shortReason(err);
    changed();
  };
  const reconnected = () => {
    delete news.lastError;
    delete news.attempt;
    delete news.nextAttemptAt;
    changed();
  };
  const stopped = (listener: Listener, reason: StopReason) =>
    notice(
      `the edge stopped ${listener.url || listener.name || 'a tunnel'}: ${reason.message}${reason.errorCode ? ` (${reason.errorCode})` : ''}`,
    );
  const bindError = (err: Error, listener: Listener) =>
    notice(`rebinding ${listener.url || listener.name || 'a tunnel'} failed: ${shortReason(err)}`);
  session.on('disconnected', disconnected).on('reconnecting', reconnecting).on('reconnect-failed', failed);
  session.on('reconnected', reconnected).on('tunnel-stopped', stopped).on('bind-error', bindError);
  return () => {
    session.off('disconnected', disconnected).off('reconnecting', reconnecting).off('reconnect-failed', failed);
    session.off('reconnected', reconnected).off('tunnel-stopped', stopped).off('bind-error', bindError);
  };
}
