/**
 * `firehose` target (ngrok's): each event one record of the delivery stream
 * (`PutRecordBatch`, up to 500 records and 4 MiB a call), its data the envelope's JSON and a
 * newline, so that what Firehose writes (to S3 and the like) is NDJSON. Records refused
 * (throughput exceeded, a service error) are sent again on the batch's retry, the others not.
 */
import { onFirstUse } from '../../../../packages/on-first-use.ts';
import { arnKinds, readArn } from '../../../../config/events/aws-arn.ts';
import { awsConnection, awsErrorText, cachedOnSuccess } from './client-options.ts';
import { recordPiecesSender } from '../record-pieces.ts';
import type { DestinationKind } from '../destination.ts';

/** The SDK's client, loaded on the first delivery: an edge with no such target never loads it. */
const firehoseSdk = onFirstUse(() => import('@aws-sdk/client-firehose'), 'PutRecordBatchCommand');

export const firehoseDestination: DestinationKind<'firehose'> = {
  target: 'firehose',
  create(target, accountId, deps) {
    const read = readArn(target.delivery_stream_arn, arnKinds.firehoseDeliveryStream);
    if ('problem' in read) throw new Error(`target.firehose.delivery_stream_arn: ${read.problem}`);
    const connection = awsConnection({ auth: target.auth, region: read.arn.region, accountId }, deps);
    const client = cachedOnSuccess(async () => {
      const { FirehoseClient } = await firehoseSdk();
      return new FirehoseClient(await connection.options());
    });
    return recordPiecesSender(
      // Each record's newline.
      { records: 500, bytes: 4 * 1024 * 1024, recordOverhead: 1 },
      async (piece) => {
        const { PutRecordBatchCommand } = await firehoseSdk();
        const command = new PutRecordBatchCommand({
          DeliveryStreamName: read.name,
          Records: piece.map((event) => ({ Data: Buffer.from(`${event}\n`) })),
        });
        const out = await (await client()).send(command).catch((err: unknown) => {
          throw new Error(`Firehose PutRecordBatch: ${awsErrorText(err)}`);
        });
        const refused = piece.filter((_, i) => out.RequestResponses?.[i]?.ErrorCode);
        return { refused, reason: out.RequestResponses?.find((r) => r.ErrorCode)?.ErrorCode };
      },
      () => connection.close(),
    );
  },
};
