import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { defer } from './defer.ts';

/** The `portico` executable as a user runs it. */
export const porticoBin = new URL('../../bin/portico.cjs', import.meta.url).pathname;

/**
 * Spawns `portico <args>` as users run it (bin/portico.cjs as a program: its launcher line starts
 * the `node` on PATH, this one first) with `env` added to this process's environment (a value of
 * undefined removes the variable), stdout and stderr piped; killed after the test.
 */
export function spawnPortico(
  t: TestContext,
  args: string[],
  env: Record<string, string | undefined> = {},
): ChildProcess {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [dirname(process.execPath), process.env.PATH].filter(Boolean).join(delimiter),
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  const child = spawn(porticoBin, args, { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  defer(t, () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  return child;
}

/** Resolves with the first JSON line on stdout that satisfies `match`. */
export function jsonLine(
  child: ChildProcess,
  match: (line: Record<string, unknown>) => boolean,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching log line')), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (match(parsed)) {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        // Not a JSON line.
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
}
