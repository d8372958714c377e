/**
 * Where the agent's output goes. On a terminal (stdout is a TTY and the log is not written to
 * that same terminal) it shows the live status screen, as ngrok's agent does; anywhere else it
 * prints "Forwarding" lines and logs one line per HTTP request.
 */
import type { AgentFlags } from './agent-flags.ts';

export type LogTarget = 'stdout' | 'stderr' | 'false';

/** What the process is attached to. */
export interface TerminalFacts {
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  /** $TERM; `dumb` means no cursor control. */
  term?: string;
}

export interface AgentOutput {
  /** Draw the status screen on stdout. */
  screen: boolean;
  /** Where log lines go. */
  log: LogTarget;
}

/**
 * Without --log, logs go to stderr, unless the screen is shown and stderr is the same terminal:
 * then they are off (ngrok's default), since they would scribble over the screen. An explicit
 * --log stdout, or --log stderr on a terminal, keeps plain lines and no screen.
 */
export function chooseOutput(flags: Pick<AgentFlags, 'log'>, facts: TerminalFacts): AgentOutput {
  const canDraw = facts.stdoutIsTty && facts.term !== 'dumb';
  if (!canDraw) return { screen: false, log: flags.log ?? 'stderr' };
  if (flags.log === undefined) return { screen: true, log: facts.stderrIsTty ? 'false' : 'stderr' };
  if (flags.log === 'stdout' || (flags.log === 'stderr' && facts.stderrIsTty)) return { screen: false, log: flags.log };
  return { screen: true, log: flags.log };
}
