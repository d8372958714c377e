/**
 * The built CLI as users run it (`bin/portico.cjs …` as a program, no TypeScript loader): building it
 * when dist/ is missing or older than src/, starting `portico edge` and `portico http` as
 * processes, and the clocks the start-up figures read (bootstrap.json written, a port accepting).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
export const porticoBin = join(root, 'bin/portico.cjs');
const distMain = join(root, 'dist/main.js');

/** Runs `npm run build` (node scripts/build.js) unless dist/main.js is newer than every file in src/. */
export function ensureBuilt(log: (text: string) => void): void {
  if (existsSync(distMain) && statSync(distMain).mtimeMs > newestMtime(join(root, 'src'))) return;
  log('building the CLI (dist/ is missing or older than src/)');
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.js')], { stdio: 'inherit', timeout: 120_000 });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status ?? built.signal})`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[])
    newest = Math.max(newest, statSync(join(dir, name)).mtimeMs);
  return newest;
}

/**
 * `env` for running bin/portico.cjs as a program: its launcher line starts the `node` it finds on
 * PATH, and this puts the one running the bench first.
 */
export function withThisNode(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: [dirname(process.execPath), env.PATH].filter(Boolean).join(delimiter) };
}

/**
 * The V8 flags bin/portico.cjs's launcher line gives Node for `portico edge` (`edge`) or for the
 * agent's commands (`agent`); the traffic stack's edge and agent, and the floor's entry and exit
 * in their places, run with them too.
 */
export function launcherFlags(command: 'edge' | 'agent'): string[] {
  const script = readFileSync(porticoBin, 'utf8');
  const line =
    /^\/\/usr\/bin\/env true; f=; case \$1 in edge\) f=(\S+) ;; http [^)]*\) f=(\S+) ;; esac; exec node \$f \$\{f:\+(\S+)\} /m.exec(
      script,
    );
  if (!line)
    throw new Error(
      `no launcher line (f=; case $1 in edge) f=… ;; http …) f=… ;; esac; exec node $f \${f:+…} …) in ${porticoBin}`,
    );
  return [command === 'edge' ? line[1]! : line[2]!, line[3]!];
}

/** A `portico …` process and what it printed so far. */
export interface PorticoProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string | null>;
}

/** Starts `bin/portico.cjs …args`; `running` holds it until it exits (the bench kills what is left). */
export function spawnPortico(args: string[], env: NodeJS.ProcessEnv, running: Set<ChildProcess>): PorticoProcess {
  const child = spawn(porticoBin, args, { env: withThisNode(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal);
    }),
  );
  return { child, pid: child.pid ?? 0, output: () => output, exited };
}

/** The four listener ports of a built edge. */
export interface EdgePorts {
  agent: number;
  https: number;
  http: number;
  api: number;
}

/** Starts `portico edge` on `dataDir` with every listener on 127.0.0.1 at `ports`, TCP ports any free one. */
export function spawnEdge(
  dataDir: string,
  ports: EdgePorts,
  env: NodeJS.ProcessEnv,
  running: Set<ChildProcess>,
): PorticoProcess {
  rmSync(join(dataDir, 'bootstrap.json'), { force: true });
  const addr = (port: number) => `127.0.0.1:${port}`;
  return spawnPortico(
    [
      'edge',
      '--data-dir',
      dataDir,
      '--agent-addr',
      addr(ports.agent),
      '--https-addr',
      addr(ports.https),
      '--http-addr',
      addr(ports.http),
      '--api-addr',
      addr(ports.api),
      '--tcp-ports',
      '0',
    ],
    env,
    running,
  );
}

/** What a start measured: milliseconds from spawn until its agent port accepted and until bootstrap.json was written. */
export interface StartTimes {
  agentAcceptMs: number;
  bootstrapMs: number;
}

/** Waits for both clocks of a process spawned at `startedAt` (performance.now()); rejects if it exits first. */
export async function startTimes(
  edge: PorticoProcess,
  startedAt: number,
  dataDir: string,
  agentPort: number,
  timeoutMs = 30_000,
): Promise<StartTimes> {
  const gone = edge.exited.then((code) => {
    throw new Error(`portico edge exited (${code}) before it was ready:\n${edge.output()}`);
  });
  const ready = Promise.all([
    until(() => accepts(agentPort), timeoutMs, `agent port ${agentPort} accepting`),
    until(async () => hasBootstrap(dataDir), timeoutMs, 'bootstrap.json'),
  ]);
  const [agentAt, bootstrapAt] = await Promise.race([ready, gone]);
  return { agentAcceptMs: agentAt - startedAt, bootstrapMs: bootstrapAt - startedAt };
}

function hasBootstrap(dataDir: string): boolean {
  try {
    JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` every 2 ms; resolves with performance.now() of the first success. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return performance.now();
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`no ${what} after ${timeoutMs} ms`);
}

/** True when a TCP connection to 127.0.0.1:`port` is accepted. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `n` ports free on 127.0.0.1 now, below the ephemeral range (32768) so that no outgoing
 * connection takes one between a SIGKILL and the restart.
 */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const port = 12_000 + Math.floor(Math.random() * 20_000);
    if (!ports.includes(port) && (await canListen(port))) ports.push(port);
  }
  return ports;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
