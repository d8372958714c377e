// What the senders use of @aws-sdk/client-kinesis, loaded with import() on first delivery (see index.ts).
export { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
