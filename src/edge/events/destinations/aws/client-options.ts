/**
 * What every AWS client of an event destination is built with: the target's region, its
 * credentials (access keys, or an IAM role the edge assumes), one attempt per call (Delivery
 * retries, with its own backoff and counters) and HTTP/1.1 with the destinations' timeout.
 *
 * A role is assumed with the credentials of the edge's host (the AWS SDK's default chain:
 * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `~/.aws`, an instance or task role), with the
 * destination's account id as the external id, so that one account on a shared edge cannot
 * have the edge assume another's role: the role's trust policy requires `sts:ExternalId`.
 * Temporary credentials are renewed by the SDK before they expire.
 *
 * The SDK is loaded on the first delivery, not at start.
 */
import { onFirstUse } from '../../../../packages/on-first-use.ts';
import type { AwsAuth } from '../../../../config/documents/events.ts';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import type { SenderDeps } from '../destination.ts';

const httpHandlerSdk = onFirstUse(() => import('@smithy/node-http-handler'), 'NodeHttpHandler');
const stsSdk = onFirstUse(() => import('@aws-sdk/client-sts'), 'AssumeRoleCommand');

/** The session name the edge's AssumeRole calls carry (CloudTrail shows it). */
export const roleSessionName = 'portico-events';

export interface AwsClientOptions {
  region: string;
  credentials:
    | { accessKeyId: string; secretAccessKey: string }
    | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>);
  maxAttempts: number;
  requestHandler: NodeHttpHandler;
  endpoint?: string;
}

/** Where and as whom a destination's AWS clients talk to AWS. */
export interface AwsTarget {
  auth: AwsAuth;
  region: string;
  accountId: string;
}

/** The options a destination's clients are built with, made on first use, and their release. */
export interface AwsConnection {
  options(): Promise<AwsClientOptions>;
  /** Closes the connections the clients opened. */
  close(): void;
}

/**
 * A destination's connection to AWS. The target's secret key is opened now, so that one the
 * edge cannot open makes the destination undeliverable when it is loaded, not at its first event.
 */
export function awsConnection(target: AwsTarget, deps: SenderDeps): AwsConnection {
  const { creds, role } = target.auth;
  const keys = creds && {
    accessKeyId: creds.aws_access_key_id,
    secretAccessKey: deps.openSecret(target.accountId, creds.aws_secret_access_key),
  };
  const handlers: Array<{ destroy(): void }> = [];
  const base = async () => {
    quietNodeVersionWarning();
    const { NodeHttpHandler } = await httpHandlerSdk();
    const timeout = deps.requestTimeoutMs ?? 10_000;
    const requestHandler = new NodeHttpHandler({ connectionTimeout: timeout, requestTimeout: timeout });
    handlers.push(requestHandler);
    return {
      region: target.region,
      maxAttempts: 1,
      requestHandler,
      ...(deps.awsEndpointUrl && { endpoint: deps.awsEndpointUrl }),
    };
  };
  const build = async (): Promise<AwsClientOptions> =>
    keys ? { ...(await base()), credentials: keys } : { ...(await base()), credentials: await assumed(role!.role_arn) };
  const assumed = async (roleArn: string) => {
    const { STSClient, AssumeRoleCommand } = await stsSdk();
    const sts = new STSClient(await base());
    return async () => {
      const command = new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: roleSessionName,
        ExternalId: target.accountId,
      });
      const answer = await sts.send(command).catch((err: unknown) => {
        throw new Error(`STS AssumeRole of ${roleArn} with external id ${target.accountId}: ${awsErrorText(err)}`);
      });
      const c = answer.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken && { sessionToken: c.SessionToken }),
        ...(c.Expiration && { expiration: c.Expiration }),
      };
    };
  };
  return {
    options: cachedOnSuccess(build),
    close() {
      for (const handler of handlers.splice(0)) handler.destroy();
    },
  };
}

/** `make`, run on the first call and again after it failed; the calls between share its promise. */
export function cachedOnSuccess<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () =>
    (made ??= make().catch((err: unknown) => {
      made = undefined;
      throw err;
    }));
}

/**
 * The SDK warns on its first client under Node 20 that its releases after January 2027 need
 * Node 22, as a process warning outside the edge's log. Portico states the Node it supports
 * itself (package.json `engines`, the README).
 */
function quietNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** The message of an AWS error: its code, HTTP status and text, as the SDK gives them. */
export function awsErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (err.name === 'Error' && !status) return err.message;
  return `${err.name}${status ? ` (${status})` : ''}: ${err.message}`;
}
