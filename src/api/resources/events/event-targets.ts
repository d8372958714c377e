/**
 * Event destination targets: where events go. Exactly one of ngrok's v2 targets (kinesis,
 * firehose, cloudwatch_logs, datadog, azure_logs_ingestion) or our extensions `http` (signed JSON batches to a URL)
 * and `file` (NDJSON on the edge's disk). AWS targets authenticate with exactly one of an IAM
 * role or access keys. Errors: ERR_NGROK_236 for the target, ERR_NGROK_240 for its `auth`.
 */
import { ErrorCode } from '../../../errors/catalogue.ts';
import { invalid } from '../../errors.ts';
import { type AwsAuth, type EventTarget } from '../../../config/documents/events.ts';
import { arnKinds, readArn } from '../../../config/events/aws-arn.ts';
import { azureCloudOf, azureClouds } from '../../../config/events/azure-clouds.ts';
import { fileTarget, httpTarget } from './portico-targets.ts';

export type { AwsAuth, EventTarget };

export type Obj = Record<string, unknown>;

/** The v2 target slots, present (null when unused) in every read. */
const v2Slots = ['kinesis', 'firehose', 'cloudwatch_logs', 'datadog', 'azure_logs_ingestion'] as const;
const azureFields = [
  'tenant_id',
  'client_id',
  'client_secret',
  'logs_ingestion_uri',
  'data_collection_rule_id',
  'data_collection_stream_name',
] as const;
/** Each AWS target's ARN field and what it must name. */
const awsArns = {
  kinesis: { field: 'stream_arn', kind: arnKinds.kinesisStream },
  firehose: { field: 'delivery_stream_arn', kind: arnKinds.firehoseDeliveryStream },
  cloudwatch_logs: { field: 'log_group_arn', kind: arnKinds.logGroup },
} as const;
/** Portico's own targets, beside ngrok's. */
const porticoTargets = ['http', 'file'] as const;
const targetNames = [...v2Slots, ...porticoTargets].join(', ');

/**
 * Validates a target from a create or PATCH body of `accountId`'s into its stored form; nulls
 * count as absent.
 */
export function parseTarget(value: unknown, accountId: string): EventTarget {
  if (!isObj(value))
    throw invalid(ErrorCode.ERR_NGROK_236, 'target', `must be an object with exactly one of ${targetNames}`);
  const set = Object.entries(value).filter(([, v]) => v !== null && v !== undefined);
  const unknown = set.find(
    ([k]) =>
      !(k in awsArns) &&
      k !== 'datadog' &&
      k !== 'azure_logs_ingestion' &&
      !(porticoTargets as readonly string[]).includes(k),
  );
  if (unknown)
    throw invalid(
      ErrorCode.ERR_NGROK_236,
      `target.${unknown[0]}`,
      `is not a supported target; use one of ${targetNames}`,
    );
  if (set.length !== 1)
    throw invalid(ErrorCode.ERR_NGROK_236, 'target', `must set exactly one of ${targetNames} (got ${set.length})`);
  const [name, body] = set[0]!;
  if (!isObj(body)) throw invalid(ErrorCode.ERR_NGROK_236, `target.${name}`, 'must be an object');
  if (name === 'http') return { http: httpTarget(body) };
  if (name === 'file') return { file: fileTarget(body) };
  if (name === 'datadog') return { datadog: datadog(body) };
  if (name === 'azure_logs_ingestion') return { azure_logs_ingestion: azure(body) };
  const aws = name as keyof typeof awsArns;
  const { field: arnField, kind } = awsArns[aws];
  const arn = requiredString(body[arnField], ErrorCode.ERR_NGROK_236, `target.${name}.${arnField}`);
  const read = readArn(arn, kind);
  if ('problem' in read) throw invalid(ErrorCode.ERR_NGROK_236, `target.${name}.${arnField}`, read.problem);
  return { [aws]: { auth: parseAuth(body.auth, `target.${name}.auth`, accountId), [arnField]: arn } } as EventTarget;
}

/**
 * Why a stored target cannot be used (one stored before the API checked its ARNs or its Azure
 * endpoint), as `<field>: <problem>`; undefined when it can.
 */
export function storedTargetProblem(target: EventTarget): string | undefined {
  const azure = target.azure_logs_ingestion;
  if (azure && !azureCloudOf(azure.logs_ingestion_uri))
    return `target.azure_logs_ingestion.logs_ingestion_uri: ${azureEndpointProblem(azure.logs_ingestion_uri)}`;
  for (const aws of Object.keys(awsArns) as Array<keyof typeof awsArns>) {
    const t = target[aws] as (Record<string, string> & { auth: AwsAuth }) | undefined;
    if (!t) continue;
    const { field, kind } = awsArns[aws];
    const read = readArn(t[field] ?? '', kind);
    if ('problem' in read) return `target.${aws}.${field}: ${read.problem}`;
    const role = t.auth.role && readArn(t.auth.role.role_arn, arnKinds.iamRole);
    if (role && 'problem' in role) return `target.${aws}.auth.role.role_arn: ${role.problem}`;
  }
  return undefined;
}

/**
 * The read shape: every v2 slot (null unless used), `http`/`file` only when used. Secrets are
 * never read back: their fields are present (ngrok's clients read them by key) and "". An IAM
 * role shows the external id the edge assumes it with: `accountId`, the owner's account.
 */
export function readTarget(target: EventTarget, accountId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const slot of v2Slots) out[slot] = null;
  if (target.datadog) out.datadog = { ...target.datadog, api_key: '' };
  if (target.azure_logs_ingestion) out.azure_logs_ingestion = { ...target.azure_logs_ingestion, client_secret: '' };
  for (const aws of ['kinesis', 'firehose', 'cloudwatch_logs'] as const) {
    const t = target[aws];
    if (t) out[aws] = { ...t, auth: readAuth(t.auth, accountId) };
  }
  if (target.http) out.http = { url: target.http.url };
  if (target.file) out.file = { ...target.file };
  return out;
}

function parseAuth(value: unknown, field: string, accountId: string): AwsAuth {
  if (!isObj(value))
    throw invalid(
      ErrorCode.ERR_NGROK_240,
      field,
      'must be an object with exactly one of role{role_arn} or creds{aws_access_key_id, aws_secret_access_key}',
    );
  const { role, creds } = value;
  const hasRole = role !== null && role !== undefined;
  const hasCreds = creds !== null && creds !== undefined;
  if (hasRole === hasCreds) throw invalid(ErrorCode.ERR_NGROK_240, field, 'must set exactly one of role or creds');
  if (hasRole) {
    const roleArn = requiredString(
      isObj(role) ? role.role_arn : undefined,
      ErrorCode.ERR_NGROK_240,
      `${field}.role.role_arn`,
    );
    const read = readArn(roleArn, arnKinds.iamRole);
    if ('problem' in read) throw invalid(ErrorCode.ERR_NGROK_240, `${field}.role.role_arn`, read.problem);
    // Read back on every destination, so a client may send it again; it cannot be chosen.
    const externalId = (role as Obj).external_id;
    if (externalId !== undefined && externalId !== null && externalId !== '' && externalId !== accountId)
      throw invalid(
        ErrorCode.ERR_NGROK_240,
        `${field}.role.external_id`,
        `the edge assumes the role with your account's id, "${accountId}", as the external id; leave external_id out`,
      );
    return { role: { role_arn: roleArn } };
  }
  const c = isObj(creds) ? creds : {};
  return {
    creds: {
      aws_access_key_id: requiredString(
        c.aws_access_key_id,
        ErrorCode.ERR_NGROK_240,
        `${field}.creds.aws_access_key_id`,
      ),
      aws_secret_access_key: requiredString(
        c.aws_secret_access_key,
        ErrorCode.ERR_NGROK_240,
        `${field}.creds.aws_secret_access_key`,
      ),
    },
  };
}

function readAuth(auth: AwsAuth, accountId: string): Record<string, unknown> {
  return {
    role: auth.role ? { ...auth.role, external_id: accountId } : null,
    creds: auth.creds ? { aws_access_key_id: auth.creds.aws_access_key_id, aws_secret_access_key: '' } : null,
  };
}

function datadog(body: Obj): NonNullable<EventTarget['datadog']> {
  const optional = (key: string) => {
    const v = body[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string' || v.length > maxTargetString)
      throw invalid(
        ErrorCode.ERR_NGROK_236,
        `target.datadog.${key}`,
        `must be a string of at most ${maxTargetString} characters`,
      );
    return v;
  };
  return {
    api_key: requiredString(body.api_key, ErrorCode.ERR_NGROK_236, 'target.datadog.api_key'),
    ddtags: optional('ddtags'),
    service: optional('service'),
    ddsite: optional('ddsite'),
  };
}

function azure(body: Obj): NonNullable<EventTarget['azure_logs_ingestion']> {
  const out = {} as Record<(typeof azureFields)[number], string>;
  for (const key of azureFields)
    out[key] = requiredString(body[key], ErrorCode.ERR_NGROK_236, `target.azure_logs_ingestion.${key}`);
  if (!azureCloudOf(out.logs_ingestion_uri))
    throw invalid(
      ErrorCode.ERR_NGROK_236,
      'target.azure_logs_ingestion.logs_ingestion_uri',
      azureEndpointProblem(out.logs_ingestion_uri),
    );
  for (const key of ['tenant_id', 'client_id', 'data_collection_rule_id', 'data_collection_stream_name'] as const)
    if (!/^[A-Za-z0-9._-]+$/.test(out[key]))
      throw invalid(
        ErrorCode.ERR_NGROK_236,
        `target.azure_logs_ingestion.${key}`,
        `"${out[key]}" is not an Azure ${azureNames[key]}: letters, digits, ".", "_" and "-" only`,
      );
  return out;
}

const azureNames = {
  tenant_id: 'tenant id (a GUID or a domain)',
  client_id: 'application (client) id',
  data_collection_rule_id: "data collection rule's immutable id (dcr-…)",
  data_collection_stream_name: 'stream name (Custom-… or Microsoft-…)',
} as const;

function azureEndpointProblem(uri: string): string {
  const domains = azureClouds.map((c) => c.domain).join(', ');
  return `"${uri}" is not an Azure Monitor logs ingestion endpoint: an https URL under ${domains} (https://<name>.<region>.ingest.monitor.azure.com)`;
}

/** Longest string any target field takes (URLs, ARNs, keys, tags). */
const maxTargetString = 2048;

export function requiredString(value: unknown, code: ErrorCode, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(code, field, 'is required (a non-empty string)');
  if (value.length > maxTargetString) throw invalid(code, field, `must be at most ${maxTargetString} characters`);
  return value.trim();
}

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The target as stored: its secrets (AWS secret access keys, the Datadog API key, the http
 * signing secret) encrypted at
 * rest with the edge's key, bound to the owning account. Reads never return them.
 */
export function sealTarget(target: EventTarget, seal: (secret: string) => string): EventTarget {
  const sealAuth = (auth: AwsAuth): AwsAuth =>
    auth.creds
      ? { ...auth, creds: { ...auth.creds, aws_secret_access_key: seal(auth.creds.aws_secret_access_key) } }
      : auth;
  if (target.datadog) return { datadog: { ...target.datadog, api_key: seal(target.datadog.api_key) } };
  const azure = target.azure_logs_ingestion;
  if (azure) return { azure_logs_ingestion: { ...azure, client_secret: seal(azure.client_secret) } };
  if (target.http) return { http: { ...target.http, secret: seal(target.http.secret) } };
  for (const aws of ['kinesis', 'firehose', 'cloudwatch_logs'] as const) {
    const t = target[aws];
    if (t) return { [aws]: { ...t, auth: sealAuth(t.auth) } } as EventTarget;
  }
  return target;
}
