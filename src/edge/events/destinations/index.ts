/** The targets Portico delivers to, in one explicit list: every one the API accepts. */
import type { EventTarget } from '../../../config/documents/events.ts';
import type { Sender } from '../delivery.ts';
import { cloudwatchLogsDestination } from './aws/cloudwatch-logs.ts';
import { firehoseDestination } from './aws/firehose.ts';
import { kinesisDestination } from './aws/kinesis.ts';
import { azureLogsIngestionDestination } from './azure-logs-ingestion.ts';
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
  azureLogsIngestionDestination,
] as const;

/** The sender for `target`; it throws for a stored target the edge cannot use (an ARN or an Azure endpoint stored unchecked). */
export function senderFor(target: EventTarget, accountId: string, deps: SenderDeps): Sender | undefined {
  for (const kind of destinationKinds) {
    const config = target[kind.target];
    if (config) return (kind.create as (t: typeof config, a: string, d: SenderDeps) => Sender)(config, accountId, deps);
  }
  return undefined;
}
