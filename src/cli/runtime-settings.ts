/**
 * What every Portico process sets about its runtime as it starts: `portico` (src/cli/main.ts) and
 * the bench's processes in its place (bench/*-child.ts), so that both measure the same thing.
 */
import { bufferStreamsAsNode22 } from './stream-buffers.ts';
import { setV8Flags } from './v8-flags.ts';

/** 64 KiB stream buffers on every runtime; the V8 flags of src/cli/v8-flags.ts. */
export function applyRuntimeSettings(): void {
  bufferStreamsAsNode22();
  setV8Flags();
}
