// What the senders use of @aws-sdk/client-cloudwatch-logs, loaded with import() on first delivery (see index.ts).
export { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
