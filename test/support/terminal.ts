/**
 * Runs `portico <args>` under a pseudo-terminal, as a user at a terminal runs it: util-linux
 * `script` gives it a TTY of a fixed size, and what it draws is collected from script's stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { porticoBin } from './cli.ts';
import { defer } from './defer.ts';
import { eventually } from './services.ts';

export interface TerminalRun {
  child: ChildProcess;
  /** Everything drawn so far, escape sequences included. */
  raw(): string;
  /** The last full frame drawn (the text after the last cursor-home), without escape sequences. */
  frame(): string;
  /** Waits until the last frame satisfies `check`; returns that frame. */
  waitForFrame(check: (frame: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Starts the agent under a `columns` x `rows` terminal; killed after the test. */
export function runInTerminal(
  t: TestContext,
  args: string[],
  env: Record<string, string>,
  size = { columns: 120, rows: 40 },
): TerminalRun {
  const command = [process.execPath, porticoBin, ...args].map(shellQuote).join(' ');
  const script = `stty cols ${size.columns} rows ${size.rows}; exec ${command}`;
  const child = spawn('script', ['-q', '-e', '-c', script, '/dev/null'], {
    env: { ...process.env, TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  child.stdout!.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  child.stderr!.resume();
  defer(t, () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  const frame = () => stripAnsi(raw.slice(raw.lastIndexOf('\x1b[H') + 3));
  return {
    child,
    raw: () => raw,
    frame,
    waitForFrame: async (check, what, timeoutMs = 20_000) => {
      let seen = '';
      await eventually(() => check((seen = frame())), timeoutMs, what);
      return seen;
    },
  };
}

/** Removes CSI sequences and carriage returns. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}
