/**
 * A sender for calls that take a bounded number of records and bytes, and may refuse some of
 * them (Kinesis PutRecords, Firehose PutRecordBatch) or fail after an earlier call of the same
 * batch succeeded: a batch is sent in pieces within the call's limits, and a retry of the
 * batch sends only the events not taken yet, so a partial failure does not deliver the others
 * twice.
 */
import type { Sender } from '../delivery.ts';
import type { EventJson } from '../envelope.ts';

/** One call's limits. */
export interface PieceLimits {
  records: number;
  /** Bytes of one call's records, each counted as its event's bytes plus `recordOverhead`. */
  bytes: number;
  recordOverhead: number;
}

/**
 * What one call did with a piece: the events it refused (sent again on the retry) and why (the
 * service's error code); how many it refused for good (`discarded`: counted as dropped).
 */
export interface PieceResult {
  refused: EventJson[];
  reason?: string;
  discarded?: number;
}

export function recordPiecesSender(
  limits: PieceLimits,
  sendPiece: (piece: EventJson[]) => Promise<PieceResult>,
  close?: () => void,
): Sender {
  // A failed batch is retried as the same array: what it still has to deliver, and what the
  // destination refused for good so far, by batch.
  const progress = new WeakMap<readonly EventJson[], { left: readonly EventJson[]; discarded: number }>();
  return {
    async send(batch) {
      const known = progress.get(batch) ?? { left: batch, discarded: 0 };
      const pieces = piecesOf(known.left, limits);
      const refused: EventJson[] = [];
      let { discarded } = known;
      let reason: string | undefined;
      for (let i = 0; i < pieces.length; i++) {
        let result: PieceResult;
        try {
          result = await sendPiece(pieces[i]!);
        } catch (err) {
          progress.set(batch, { left: [...refused, ...pieces.slice(i).flat()], discarded });
          throw err;
        }
        refused.push(...result.refused);
        discarded += result.discarded ?? 0;
        reason ??= result.reason;
      }
      if (refused.length) {
        progress.set(batch, { left: refused, discarded });
        throw new Error(`${refused.length} of ${known.left.length} events refused (${reason ?? 'no reason given'})`);
      }
      progress.delete(batch);
      return { discarded };
    },
    undelivered: (batch) => progress.get(batch)?.left.length ?? batch.length,
    ...(close && { close }),
  };
}

/** `events` in order, cut into pieces of at most `limits.records` records and `limits.bytes`. */
export function piecesOf(events: readonly EventJson[], limits: PieceLimits): EventJson[][] {
  const pieces: EventJson[][] = [];
  let piece: EventJson[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event) + limits.recordOverhead;
    if (piece.length && (piece.length === limits.records || bytes + size > limits.bytes)) {
      pieces.push(piece);
      [piece, bytes] = [[], 0];
    }
    piece.push(event);
    bytes += size;
  }
  if (piece.length) pieces.push(piece);
  return pieces;
}
