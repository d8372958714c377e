/**
 * `cloudwatch_logs` target (ngrok's): each event one log event of the group's log stream
 * `portico-events` (created by the edge when missing), its message the envelope's JSON, its
 * timestamp the event's. `PutLogEvents` takes up to 1 MiB a call (each event counting its bytes
 * and 26), in time order, within 24 hours. A call fails or succeeds whole, except for events
 * CloudWatch refuses for their age (older than the group's retention or 14 days, more than two
 * hours ahead): those are logged and counted as dropped, as a retry could not change their age.
 */
import type { InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { onFirstUse } from '../../../../packages/on-first-use.ts';
import type { EventEnvelope, EventJson } from '../../envelope.ts';
import type { DestinationKind } from '../destination.ts';
import { arnKinds, readArn } from '../../../../config/events/aws-arn.ts';
import { awsConnection, awsErrorText, cachedOnSuccess } from './client-options.ts';
import { recordPiecesSender, type PieceResult } from '../record-pieces.ts';

/** The SDK's client, loaded on the first delivery: an edge with no such target never loads it. */
const logsSdk = onFirstUse(() => import('@aws-sdk/client-cloudwatch-logs'), 'PutLogEventsCommand');

/** The log stream the edge writes to in the target's group. */
export const logStreamName = 'portico-events';

const dayMs = 24 * 60 * 60 * 1000;

export const cloudwatchLogsDestination: DestinationKind<'cloudwatch_logs'> = {
  target: 'cloudwatch_logs',
  create(target, accountId, deps) {
    const read = readArn(target.log_group_arn, arnKinds.logGroup);
    if ('problem' in read) throw new Error(`target.cloudwatch_logs.log_group_arn: ${read.problem}`);
    const logGroupName = read.name;
    const connection = awsConnection({ auth: target.auth, region: read.arn.region, accountId }, deps);
    const client = cachedOnSuccess(async () => new (await logsSdk()).CloudWatchLogsClient(await connection.options()));
    const createStream = async () => {
      const [{ CreateLogStreamCommand }, logs] = await Promise.all([logsSdk(), client()]);
      await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName })).catch((err: unknown) => {
        if ((err as Error).name === 'ResourceAlreadyExistsException') return;
        throw new Error(`CloudWatch Logs CreateLogStream: ${awsErrorText(err)}`);
      });
    };
    // Made once; again after CloudWatch says it is gone (deleted meanwhile).
    let streamMade = cachedOnSuccess(createStream);
    const put = async (logEvents: InputLogEvent[]) => {
      await streamMade();
      const [{ PutLogEventsCommand }, logs] = await Promise.all([logsSdk(), client()]);
      const command = new PutLogEventsCommand({ logGroupName, logStreamName, logEvents });
      const out = await logs.send(command).catch((err: unknown) => {
        if ((err as Error).name === 'ResourceNotFoundException') streamMade = cachedOnSuccess(createStream);
        throw new Error(`CloudWatch Logs PutLogEvents: ${awsErrorText(err)}`);
      });
      const refused = refusedForAge(out.rejectedLogEventsInfo, logEvents.length);
      if (refused)
        deps.logger.warn('CloudWatch Logs refused events for their age; they are dropped', {
          logGroup: logGroupName,
          events: refused,
        });
      return refused;
    };
    return recordPiecesSender(
      { records: 10_000, bytes: 1024 * 1024, recordOverhead: 26 },
      (piece) => sendByDay(piece, put),
      () => connection.close(),
    );
  },
};

/**
 * Sends `piece` one day's run at a time (`put` answers how many events it dropped for their
 * age). When a run after the first fails, the runs not sent are refused, to be sent again
 * alone: the runs CloudWatch took are not sent twice.
 */
export async function sendByDay(
  piece: EventJson[],
  put: (run: InputLogEvent[]) => Promise<number>,
): Promise<PieceResult> {
  const runs = dayRuns(piece.map(logEvent));
  let discarded = 0;
  for (let i = 0; i < runs.length; i++) {
    try {
      discarded += await put(runs[i]!);
    } catch (err) {
      if (i === 0) throw err;
      return {
        refused: runs
          .slice(i)
          .flat()
          .map((e) => e.message as EventJson),
        reason: (err as Error).message,
        discarded,
      };
    }
  }
  return { refused: [], discarded };
}

function logEvent(event: EventJson): InputLogEvent {
  const at = Date.parse((JSON.parse(event) as EventEnvelope).event_timestamp);
  return { message: event, timestamp: Number.isFinite(at) ? at : Date.now() };
}

/** `events` in time order, cut where a run would span more than a day. */
export function dayRuns(events: InputLogEvent[]): InputLogEvent[][] {
  const sorted = [...events].sort((a, b) => a.timestamp! - b.timestamp!);
  const runs: InputLogEvent[][] = [];
  for (const event of sorted) {
    const run = runs.at(-1);
    if (run && event.timestamp! - run[0]!.timestamp! < dayMs) run.push(event);
    else runs.push([event]);
  }
  return runs;
}

/** How many events `PutLogEvents` left out for their age. */
export function refusedForAge(
  info:
    | { tooNewLogEventStartIndex?: number; tooOldLogEventEndIndex?: number; expiredLogEventEndIndex?: number }
    | undefined,
  count: number,
): number {
  if (!info) return 0;
  const tooNew = info.tooNewLogEventStartIndex === undefined ? 0 : count - info.tooNewLogEventStartIndex;
  const old = Math.max(info.tooOldLogEventEndIndex ?? -1, info.expiredLogEventEndIndex ?? -1) + 1;
  return Math.min(count, tooNew + old);
}
