import type { EventTarget } from '../../../config/documents/events.ts';
import type { Logger } from '../../../log/logger.ts';
import type { Sender } from '../delivery.ts';

/** What senders are built with. */
export interface SenderDeps {
  /** Opens a secret the API sealed for `accountId` (the http signing secret, the Datadog API key). */
  openSecret(accountId: string, sealed: string): string;
  /** Directory file targets' paths are relative to. */
  fileDir: string;
  /** Replaces every Datadog target's intake URL (tests point it at a local receiver). */
  datadogIntakeUrl?: string;
  /**
   * Replaces the AWS endpoint of every AWS target (Kinesis, Firehose, CloudWatch Logs) and of
   * STS (tests point it at a local stand-in). Operators use the AWS SDK's own
   * `AWS_ENDPOINT_URL_<SERVICE>` variables instead.
   */
  awsEndpointUrl?: string;
  /**
   * Replaces where Azure targets' apps sign in (`https://login.microsoftonline.com` and the
   * like) and their ingestion endpoint (tests point them at local stand-ins; http allowed).
   */
  azure?: { loginUrl?: string; ingestionUrl?: string };
  /** Milliseconds one HTTP delivery may take. Default 10000. */
  requestTimeoutMs?: number;
  logger: Logger;
}

/** One kind of target Portico delivers to: which key of `target` it reads, and how it sends. */
export interface DestinationKind<K extends keyof EventTarget> {
  readonly target: K;
  create(target: NonNullable<EventTarget[K]>, accountId: string, deps: SenderDeps): Sender;
}

/** Rejects unless `res` is a 2xx; its body is drained either way. */
export async function expectOk(res: Response, what: string): Promise<void> {
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new Error(`${what} answered ${res.status}`);
}
