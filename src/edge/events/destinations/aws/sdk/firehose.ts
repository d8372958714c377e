// What the senders use of @aws-sdk/client-firehose, loaded with import() on first delivery (see index.ts).
export { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
