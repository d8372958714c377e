/** Runs the external programs `portico trust` relies on (update-ca-certificates, certutil). */
import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit status 0. */
  ok: boolean;
  /** The program is not installed (not found on PATH). */
  missing: boolean;
  /** stdout and stderr, trimmed. */
  output: string;
}

/** Milliseconds a program may take. */
const timeoutMs = 60_000;

/** Runs `file args…`; never throws. */
export function runCommand(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!err) return resolve({ ok: true, missing: false, output });
      resolve({ ok: false, missing: (err as NodeJS.ErrnoException).code === 'ENOENT', output: output || err.message });
    });
  });
}

/** `env` with the system binary directories on PATH, where update-ca-certificates lives. */
export function withSbin(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const path = env.PATH ?? '';
  const extra = ['/usr/local/sbin', '/usr/sbin', '/sbin'].filter((dir) => !path.split(':').includes(dir));
  return { ...env, PATH: [path, ...extra].filter(Boolean).join(':') };
}
