/**
 * Stored shapes of event destinations and subscriptions, shared by the API (which writes them)
 * and the event dispatcher (which delivers by them).
 */

/** Store kinds of the event records. */
export const eventKinds = { destination: 'event_destination', subscription: 'event_subscription' } as const;

export interface AwsAuth {
  role?: { role_arn: string };
  creds?: { aws_access_key_id: string; aws_secret_access_key: string };
}

/** An event destination's target: exactly one key set. Secrets are stored sealed. */
export interface EventTarget {
  kinesis?: { auth: AwsAuth; stream_arn: string };
  firehose?: { auth: AwsAuth; delivery_stream_arn: string };
  cloudwatch_logs?: { auth: AwsAuth; log_group_arn: string };
  /** `api_key` sealed; `ddsite` e.g. "datadoghq.com", "datadoghq.eu", "us3.datadoghq.com" ("" = datadoghq.com). */
  datadog?: { api_key: string; ddtags: string; service: string; ddsite: string };
  /** Azure Monitor's Logs Ingestion API; `client_secret` sealed. Accepted, not delivered (undeliverable()). */
  azure_logs_ingestion?: {
    tenant_id: string;
    client_id: string;
    client_secret: string;
    logs_ingestion_uri: string;
    data_collection_rule_id: string;
    data_collection_stream_name: string;
  };
  /** Portico: batches POSTed as JSON to `url`, signed with `secret` (sealed) — docs/events.md. */
  http?: { url: string; secret: string };
  /** Portico: NDJSON appended to `path` under the edge's event file directory, rotated by size. */
  file?: { path: string; max_bytes: number; max_files: number };
}

export interface EventDestinationDoc {
  description: string;
  metadata: string;
  /** Always "json", the only format. */
  format: 'json';
  target: EventTarget;
}

export interface EventSourceDoc {
  /** Event type, e.g. `ip_policy_created.v0`. */
  type: string;
  /** Traffic events only: the fields to send (config/events/event-fields.ts); absent or empty = all. */
  fields?: string[];
}

export interface EventSubscriptionDoc {
  description: string;
  metadata: string;
  /** Event types, unique, in the order given. */
  sources: EventSourceDoc[];
  /** Event destination ids (`ed_…`), unique. */
  destination_ids: string[];
}

/** Defaults and bounds of the file target. */
export const fileTargetLimits = {
  defaultMaxBytes: 10 * 1024 * 1024,
  minMaxBytes: 1024,
  maxMaxBytes: 1024 * 1024 * 1024,
  defaultMaxFiles: 5,
  maxMaxFiles: 100,
  maxPathLength: 255,
} as const;

/** Bounds of the http target's signing secret, in characters. */
export const httpSecretLength = { min: 16, max: 256 } as const;
