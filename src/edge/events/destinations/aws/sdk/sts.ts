// What the senders use of @aws-sdk/client-sts, loaded with import() on first delivery (see index.ts).
export { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
