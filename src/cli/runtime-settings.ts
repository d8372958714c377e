/**
 * What every Portico process sets about its runtime as it starts: `portico` (src/cli/main.ts) and
 * the bench's processes in its place (bench/*-child.ts), so that both measure the same thing.
 */
import { growOldGenerationByHalf } from './heap-growth.ts';
import { bufferStreamsAsNode22 } from './stream-buffers.ts';

/** 64 KiB stream buffers on every runtime; an old generation that grows by half between full collections. */
export function applyRuntimeSettings(): void {
  bufferStreamsAsNode22();
  growOldGenerationByHalf();
}
