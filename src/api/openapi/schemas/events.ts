/** Event destinations (with their targets), event subscriptions and their sources. */
import type { ResourceDoc } from '../resource-doc.ts';
import { extension, int, list, nullable, object, ref, str, type JsonSchema } from './builders.ts';
import { extendedPageOf, pageOf, stored } from './common.ts';

const awsAuth = nullable(ref('AWSAuth'));

/** Target schemas: ngrok's slots (null unless used; secrets read as "") and Portico's `http` and `file`. */
const targetSchemas: Record<string, JsonSchema> = {
  EventTarget: object(
    {
      firehose: nullable(ref('EventTargetFirehose')),
      kinesis: nullable(ref('EventTargetKinesis')),
      cloudwatch_logs: nullable(ref('EventTargetCloudwatchLogs')),
      datadog: nullable(ref('EventTargetDatadog')),
      azure_logs_ingestion: nullable(ref('EventTargetAzureLogsIngestion')),
      http: extension(object({ url: str }), 'Signed JSON batches POSTed to `url`; present only when used.'),
      file: extension(
        object({ path: str, max_bytes: int, max_files: int }),
        'NDJSON appended under the edge’s event file directory; present only when used.',
      ),
    },
    ['http', 'file'],
  ),
  EventTargetFirehose: object({ auth: awsAuth, delivery_stream_arn: str }),
  EventTargetKinesis: object({ auth: awsAuth, stream_arn: str }),
  EventTargetCloudwatchLogs: object({ auth: awsAuth, log_group_arn: str }),
  EventTargetDatadog: object({ api_key: str, ddtags: str, service: str, ddsite: str }),
  EventTargetAzureLogsIngestion: object({
    tenant_id: str,
    client_id: str,
    client_secret: str,
    logs_ingestion_uri: str,
    data_collection_rule_id: str,
    data_collection_stream_name: str,
  }),
  AWSAuth: object({ role: nullable(ref('AWSRole')), creds: nullable(ref('AWSCredentials')) }),
  AWSRole: object({
    role_arn: str,
    external_id: extension(
      str,
      "The sts:ExternalId the edge assumes the role with: the account's id. Read-only; the role's trust policy should require it.",
    ),
  }),
  AWSCredentials: object({ aws_access_key_id: str, aws_secret_access_key: str }),
};

export const eventDocs: ResourceDoc[] = [
  {
    path: '/event_destinations',
    tag: 'EventDestinations',
    operation: 'EventDestinations',
    name: 'EventDestination',
    schema: stored({ format: str, target: ref('EventTarget') }),
    parts: targetSchemas,
    list: pageOf('event_destinations', 'EventDestination'),
  },
  {
    path: '/event_subscriptions',
    tag: 'EventSubscriptions',
    operation: 'EventSubscriptions',
    name: 'EventSubscription',
    schema: stored({ sources: list(ref('EventSource')), destinations: list(ref('Ref')) }),
    list: pageOf('event_subscriptions', 'EventSubscription'),
  },
  {
    path: '/event_subscriptions/{id}/sources',
    tag: 'EventSources',
    operation: 'EventSources',
    name: 'EventSource',
    schema: object(
      {
        type: str,
        uri: str,
        fields: extension(list(str), 'The traffic event fields sent; present only when chosen.'),
      },
      ['fields'],
    ),
    list: extendedPageOf('sources', 'EventSource'),
  },
];
