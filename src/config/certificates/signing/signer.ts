/**
 * Certificates are made in a child process (child.ts), not in the edge: the certificate tooling
 * and the memory that signing grows stay out of the long-running edge and are returned to the
 * system when the child exits (issue 13: an edge that made its CA and certificates at its first
 * start held the tooling for the rest of its life). One child serves the tasks of a burst
 * (the first start makes three certificates) and is let go ten seconds after its last answer.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import type { Pem, SigningAnswer, SigningTask } from './tasks.ts';

/**
 * Milliseconds the child is kept after its last answer, for the next tasks of a burst: names a
 * browser asks for one after another, or the edges a test suite starts one after another (a child
 * run from the sources takes some 0.5 s to start, 0.15 s built).
 */
export const LINGER_MS = 10_000;
/** Milliseconds a task may take before the child is stopped and its tasks fail. */
const TASK_TIMEOUT_MS = 60_000;
/** Characters of the child's stderr kept for the message when it fails. */
const STDERR_CHARS = 2_000;

// Run from the sources, the child is child.ts beside this file (the loader the edge runs with
// is passed on); in a build, every chunk sits beside the `certificate-signer` entry that
// scripts/bundle-options.js adds.
const script = import.meta.url.endsWith('.ts')
  ? new URL('./child.ts', import.meta.url)
  : new URL('./certificate-signer.js', import.meta.url);

// One child at a time for the whole process, as a loaded package would be.
let current: SigningProcess | undefined;

/**
 * Makes the certificate `task` asks for, in the signing process. An idle child may have died
 * before this process has seen it exit; the tasks given to it then are made once more by a new
 * child.
 */
export async function sign(task: SigningTask): Promise<Pem> {
  const signer = signingProcess();
  const idle = signer.idle;
  try {
    return await signer.run(task);
  } catch (err) {
    if (!(idle && signer.gone)) throw err;
    return signingProcess().run(task);
  }
}

function signingProcess(): SigningProcess {
  current ??= new SigningProcess((retired) => {
    if (current === retired) current = undefined;
  });
  return current;
}

interface Waiting {
  resolve(pem: Pem): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

class SigningProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, Waiting>();
  readonly #onRetire: (retired: SigningProcess) => void;
  #nextId = 1;
  #stderr = '';
  #linger: NodeJS.Timeout | undefined;
  #retired = false;
  #gone = false;
  #idle = false;

  constructor(onRetire: (retired: SigningProcess) => void) {
    this.#onRetire = onRetire;
    // The edge's own flags and loader, but not its inspector, whose port the child cannot share.
    const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--inspect'));
    this.#child = fork(script, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.#child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(0, STDERR_CHARS);
    });
    this.#child.on('message', (answer: SigningAnswer) => this.#answer(answer));
    this.#child.on('error', (err) => this.#lost(err.message));
    this.#child.on('exit', (code, signal) => this.#lost(`it exited (${signal ?? `code ${code}`})`));
  }

  /** It was idle and has not answered since: it may have died unseen. */
  get idle(): boolean {
    return this.#idle;
  }

  /** It exited or its channel failed (not: it stopped answering). */
  get gone(): boolean {
    return this.#gone;
  }

  run(task: SigningTask): Promise<Pem> {
    clearTimeout(this.#linger);
    this.#hold(true);
    const id = this.#nextId++;
    return new Promise<Pem>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(`it did not answer within ${TASK_TIMEOUT_MS / 1000} s`),
        TASK_TIMEOUT_MS,
      );
      this.#waiting.set(id, { resolve, reject, timer });
      this.#child.send({ id, task }, (err) => err && this.#lost(err.message));
    });
  }

  #answer(answer: SigningAnswer): void {
    const waiting = this.#waiting.get(answer.id);
    if (!waiting) return;
    this.#idle = false;
    this.#waiting.delete(answer.id);
    clearTimeout(waiting.timer);
    if ('error' in answer) waiting.reject(new PorticoError(ErrorCode.ERR_TLS_SIGNING_FAILED, answer.error));
    else waiting.resolve(answer.pem);
    if (this.#waiting.size > 0) return;
    // Idle: the edge may exit without waiting for the child, which leaves when let go.
    this.#hold(false);
    this.#idle = true;
    this.#linger = setTimeout(() => this.#retire(), LINGER_MS).unref();
  }

  // Once, whichever comes first: the idle time ran out or the child failed. A child that fails
  // while idle leaves its idle timer behind, which must not let go of the process after it.
  #retire(): void {
    if (this.#retired) return;
    this.#retired = true;
    clearTimeout(this.#linger);
    this.#onRetire(this);
    if (this.#child.connected) this.#child.disconnect();
  }

  #lost(reason: string): void {
    this.#gone = true;
    this.#fail(reason);
  }

  // The child failed (it could not start, crashed, was stopped or dropped the channel):
  // every task it had fails, and the next task starts a new child.
  #fail(reason: string): void {
    this.#retire();
    const detail = `the signing process failed: ${reason}${this.#stderr ? `: ${this.#stderr.trim()}` : ''}`;
    for (const waiting of this.#waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(new PorticoError(ErrorCode.ERR_TLS_SIGNING_FAILED, detail));
    }
    this.#waiting.clear();
    this.#child.kill('SIGKILL');
  }

  // While tasks wait, the child keeps the edge's event loop alive, as the work would in process.
  #hold(held: boolean): void {
    // stdio: ['ignore', 'ignore', 'pipe', 'ipc'] makes stderr a socket over a pipe.
    const stderr = this.#child.stderr as Socket | null;
    for (const handle of [this.#child, this.#child.channel, stderr]) {
      if (held) handle?.ref();
      else handle?.unref();
    }
  }
}
