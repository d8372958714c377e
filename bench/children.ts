/** The parent half of bench processes: start a child script, wait for it, profile it, stop it. */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { bundleDir } from './bundle.ts';
import type { ChildMessage, ParentMessage } from './child-side.ts';

/** Milliseconds a child has to report ready (unless told otherwise), and to exit once asked to stop. */
const readyTimeoutMs = 30_000;
const stopTimeoutMs = 8_000;
/** Milliseconds a child has to answer a stats or profile request. */
const askTimeoutMs = 30_000;

export interface BenchChild<R> {
  name: string;
  pid: number;
  ready: R;
  /** The child's counters (see ChildService.stats). */
  stats(): Promise<Record<string, number>>;
  /** Starts the V8 sampling profiler inside the child. */
  profileStart(): void;
  /** Stops it and writes a .cpuprofile to `path`. */
  profileStop(path: string): Promise<void>;
  /** Asks the child to close; kills it if it does not exit in time. */
  stop(): Promise<void>;
  /** SIGKILL, for emergencies. */
  kill(): void;
}

/**
 * How children run: `bundle`, their bundle from bench/bundle.ts with plain node (built code, as
 * the CLI runs); `tsx`, the TypeScript sources through tsx (profiles then name source lines).
 */
export type ChildRunner = 'bundle' | 'tsx';

/** Runs `bench/<script>` (e.g. `./edge-child.ts`) in its own Node process (own event loop). */
export async function startChild<R>(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  runner: ChildRunner,
  options: { readyMs?: number; stderrPath?: string; nodeFlags?: string[] } = {},
): Promise<BenchChild<R>> {
  const readyMs = options.readyMs ?? readyTimeoutMs;
  const path =
    runner === 'bundle'
      ? join(bundleDir, script.replace(/^\.\//, '').replace(/\.ts$/, '.js'))
      : new URL(script, import.meta.url).pathname;
  const stderr = options.stderrPath ? openSync(options.stderrPath, 'a') : 'inherit';
  const child = fork(path, args, {
    execArgv: [...(options.nodeFlags ?? []), ...(runner === 'bundle' ? [] : ['--import', 'tsx'])],
    env,
    // A child that logs (the edge) writes to a file, as `portico edge 2> edge.log` would.
    stdio: ['ignore', 'inherit', stderr, 'ipc'],
  });
  if (typeof stderr === 'number') closeSync(stderr);
  try {
    const ready = await waitFor<R>(child, name, readyMs);
    return wrap(name, child, ready);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

function waitFor<R>(child: ChildProcess, name: string, readyMs: number): Promise<R> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after ${readyMs} ms`)), readyMs);
    child.on('message', (message: ChildMessage<R>) => {
      if (message.type === 'ready') resolve(message.ready);
      else if (message.type === 'error') reject(new Error(`${name} failed to start: ${message.message}`));
      else return;
      clearTimeout(timer);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready`));
    });
  });
}

function wrap<R>(name: string, child: ChildProcess, ready: R): BenchChild<R> {
  const send = (message: ParentMessage) => {
    if (child.connected) child.send(message);
  };
  const exited = new Promise<void>((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
  );
  return {
    name,
    pid: child.pid ?? 0,
    ready,
    stats: async () => {
      const reply = await ask(child, { type: 'stats' }, 'stats');
      return reply.type === 'stats' ? reply.stats : {};
    },
    profileStart: () => send({ type: 'profile-start' }),
    profileStop: async (path) => {
      const reply = await ask(child, { type: 'profile-stop', path }, 'profile-done');
      if (reply.type === 'profile-done' && reply.error)
        throw new Error(`${name}: cannot write its profile: ${reply.error}`);
    },
    stop: async () => {
      send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Sends `message` and resolves with the child's next message of type `reply`. */
function ask(
  child: ChildProcess,
  message: ParentMessage,
  reply: ChildMessage<unknown>['type'],
): Promise<ChildMessage<unknown>> {
  return new Promise((resolve, reject) => {
    if (!child.connected) return reject(new Error(`a bench child (pid ${child.pid}) has gone`));
    const done = (err: Error | undefined, m?: ChildMessage<unknown>) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    };
    const onMessage = (m: ChildMessage<unknown>) => {
      if (m.type === reply) done(undefined, m);
    };
    const onExit = (code: number | null) =>
      done(new Error(`a bench child (pid ${child.pid}) exited with ${code} before answering ${message.type}`));
    const timer = setTimeout(
      () => done(new Error(`no answer to ${message.type} from pid ${child.pid} in ${askTimeoutMs} ms`)),
      askTimeoutMs,
    );
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(message);
  });
}
