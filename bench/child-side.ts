/**
 * The child half of a bench process (services, edge, agent): reports readiness over IPC, can
 * profile itself on request, and stops when asked or when the parent goes away, so a killed
 * bench never leaves an edge behind.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** What a child runs: its ready payload for the parent, and how to stop it. */
export interface ChildService<R> {
  ready: R;
  close(): Promise<void>;
  /** Counters the parent may ask for (e.g. connections accepted). */
  stats?(): Record<string, number>;
}

export type ParentMessage =
  { type: 'stop' } | { type: 'stats' } | { type: 'profile-start' } | { type: 'profile-stop'; path: string };
export type ChildMessage<R> =
  | { type: 'ready'; ready: R }
  | { type: 'error'; message: string }
  | { type: 'stats'; stats: Record<string, number> }
  | { type: 'profile-done'; error?: string };

/** Milliseconds a child has to close gracefully before it exits anyway. */
const closeTimeoutMs = 5_000;

export function runChild<R>(start: () => Promise<ChildService<R>>): void {
  if (!process.send) throw new Error('start this through bench/tunnel.bench.ts: it needs an IPC channel');
  start().then(
    (service) => {
      send<R>({ type: 'ready', ready: service.ready });
      listen(service);
    },
    (err: unknown) => {
      send<R>({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    },
  );
}

function send<R>(message: ChildMessage<R>): void {
  process.send?.(message);
}

function listen<R>(service: ChildService<R>): void {
  const profiler = new Session();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const timeout = new Promise((r) => setTimeout(r, closeTimeoutMs).unref());
    void Promise.race([service.close().catch(() => undefined), timeout]).then(() => process.exit(0));
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') stop();
    else if (message.type === 'stats') send<R>({ type: 'stats', stats: service.stats?.() ?? {} });
    else if (message.type === 'profile-start') startProfile(profiler).catch(() => undefined);
    else if (message.type === 'profile-stop') {
      stopProfile(profiler, message.path).then(
        () => send<R>({ type: 'profile-done' }),
        (err: unknown) => send<R>({ type: 'profile-done', error: String(err) }),
      );
    }
  });
  // The parent died or closed the channel: nobody will ask us to stop.
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function startProfile(profiler: Session): Promise<void> {
  profiler.connect();
  await profiler.post('Profiler.enable');
  // Starting the profiler logs every compiled function under a lock that a garbage collection
  // started by that logging takes again: the process then hangs for good (V8 crbug 41497149, seen
  // here on Node 20 in 3 of some 32 starts under bulk traffic). A full collection just
  // before leaves the heap far from the next one.
  await profiler.post('HeapProfiler.collectGarbage');
  await profiler.post('Profiler.start');
}

async function stopProfile(profiler: Session, path: string): Promise<void> {
  const { profile } = await profiler.post('Profiler.stop');
  await writeFile(path, JSON.stringify(profile));
  profiler.disconnect();
}
