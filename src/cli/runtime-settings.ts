/**
 * What every Portico process sets about its runtime as it starts: `portico` (src/cli/main.ts) and
 * the bench's processes in its place (bench/*-child.ts), so that both measure the same thing.
 */
import { bufferStreamsAsNode22 } from './stream-buffers.ts';
import { collectTransferBuffers } from '../protocol/index.ts';
import { scavenger, setV8Flags } from './v8-flags.ts';

/**
 * 64 KiB stream buffers on every runtime; the V8 flags of src/cli/v8-flags.ts; tunnel traffic's
 * dead buffers collected as it moves, where the launcher exposed the collector
 * (src/protocol/transfer-buffers.ts).
 */
export function applyRuntimeSettings(): void {
  bufferStreamsAsNode22();
  setV8Flags();
  collectTransferBuffers(scavenger());
}
