/**
 * The targets Portico delivers to, in one explicit list. ngrok's azure_logs_ingestion is accepted
 * by the API but has no entry: its destinations get no sender, report `config_error` through
 * the API, and count their events as dropped.
 */
import type { EventTarget } from '../../../config/documents/events.ts';
import type { Sender } from '../delivery.ts';
import { cloudwatchLogsDestination } from './aws/cloudwatch-logs.ts';
import { firehoseDestination } from './aws/firehose.ts';
import { kinesisDestination } from './aws/kinesis.ts';
import { datadogDestination } from './datadog.ts';
import type { SenderDeps } from './destination.ts';
import { fileDestination } from './file.ts';
import { httpDestination } from './http.ts';

export type { SenderDeps } from './destination.ts';

export const destinationKinds = [
  httpDestination,
  fileDestination,
  datadogDestination,
  kinesisDestination,
  firehoseDestination,
  cloudwatchLogsDestination,
] as const;

/** The sender for `target`, or undefined when Portico cannot deliver to it. */
export function senderFor(target: EventTarget, accountId: string, deps: SenderDeps): Sender | undefined {
  for (const kind of destinationKinds) {
    const config = target[kind.target];
    if (config) return (kind.create as (t: typeof config, a: string, d: SenderDeps) => Sender)(config, accountId, deps);
  }
  return undefined;
}
