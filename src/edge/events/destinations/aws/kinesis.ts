/**
 * `kinesis` target (ngrok's): each event one record of the stream (`PutRecords`, up to 500
 * records and 5 MiB a call), its data the envelope's JSON, its partition key random, so that
 * events spread over the stream's shards. Records the stream refuses (throughput exceeded) are
 * sent again on the batch's retry, the others not.
 */
import { randomUUID } from 'node:crypto';
import { onFirstUse } from '../../../../packages/on-first-use.ts';
import { arnKinds, readArn } from '../../../../config/events/aws-arn.ts';
import { awsConnection, awsErrorText, cachedOnSuccess } from './client-options.ts';
import { recordPiecesSender } from '../record-pieces.ts';
import type { DestinationKind } from '../destination.ts';

/** The SDK's client, loaded on the first delivery: an edge with no such target never loads it. */
const kinesisSdk = onFirstUse(() => import('@aws-sdk/client-kinesis'), 'PutRecordsCommand');

export const kinesisDestination: DestinationKind<'kinesis'> = {
  target: 'kinesis',
  create(target, accountId, deps) {
    const read = readArn(target.stream_arn, arnKinds.kinesisStream);
    if ('problem' in read) throw new Error(`target.kinesis.stream_arn: ${read.problem}`);
    const connection = awsConnection({ auth: target.auth, region: read.arn.region, accountId }, deps);
    const client = cachedOnSuccess(async () => {
      const { KinesisClient } = await kinesisSdk();
      return new KinesisClient(await connection.options());
    });
    return recordPiecesSender(
      // A record counts its partition key (36 characters) beside its data.
      { records: 500, bytes: 5 * 1024 * 1024, recordOverhead: 36 },
      async (piece) => {
        const { PutRecordsCommand } = await kinesisSdk();
        const command = new PutRecordsCommand({
          StreamARN: target.stream_arn,
          Records: piece.map((event) => ({ Data: Buffer.from(event), PartitionKey: randomUUID() })),
        });
        const out = await (await client()).send(command).catch((err: unknown) => {
          throw new Error(`Kinesis PutRecords: ${awsErrorText(err)}`);
        });
        const refused = piece.filter((_, i) => out.Records?.[i]?.ErrorCode);
        return { refused, reason: out.Records?.find((r) => r.ErrorCode)?.ErrorCode };
      },
      () => connection.close(),
    );
  },
};
