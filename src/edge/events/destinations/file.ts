/**
 * `file` target (Portico): events appended as NDJSON (one JSON object a line) to `path` under
 * the edge's event file directory. When a batch would take the file past `max_bytes`, the file
 * is rotated first: `path` → `path.1` → `path.2` …, keeping `max_files` old files.
 */
import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EventTarget } from '../../../config/documents/events.ts';
import type { DestinationKind } from './destination.ts';

type FileTarget = NonNullable<EventTarget['file']>;

export const fileDestination: DestinationKind<'file'> = {
  target: 'file',
  create(target, _accountId, deps) {
    const path = join(deps.fileDir, target.path);
    return {
      async send(batch) {
        const lines = batch.map((event) => `${JSON.stringify(event)}\n`).join('');
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        if ((await sizeOf(path)) + Buffer.byteLength(lines) > target.max_bytes) await rotate(path, target);
        await appendFile(path, lines, { mode: 0o600 });
      },
    };
  },
};

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Shifts `path.N` up by one (the oldest beyond `max_files` goes) and moves `path` to `path.1`. */
export async function rotate(path: string, target: Pick<FileTarget, 'max_files'>): Promise<void> {
  await rm(`${path}.${target.max_files}`, { force: true });
  for (let n = target.max_files - 1; n >= 1; n--) await rename(`${path}.${n}`, `${path}.${n + 1}`).catch(() => {});
  await rename(path, `${path}.1`).catch(() => {});
}
