/**
 * `file` target (Portico): events appended as NDJSON (one JSON object a line) to `path` under
 * the edge's event file directory. When a line would take the file past `max_bytes`, the file
 * is rotated first: `path` → `path.1` → `path.2` …, keeping `max_files` old files. (One event
 * longer than `max_bytes` gets a file of its own.)
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
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        let size = await sizeOf(path);
        let pending = '';
        for (const event of batch) {
          const line = `${event}\n`;
          const bytes = Buffer.byteLength(line);
          if (size > 0 && size + bytes > target.max_bytes) {
            if (pending) await appendFile(path, pending, { mode: 0o600 });
            await rotate(path, target);
            [size, pending] = [0, ''];
          }
          pending += line;
          size += bytes;
        }
        if (pending) await appendFile(path, pending, { mode: 0o600 });
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
