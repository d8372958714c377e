/**
 * `azure_logs_ingestion` target (ngrok's): each batch POSTed to Azure Monitor's Logs Ingestion
 * API, `<logs_ingestion_uri>/dataCollectionRules/<data_collection_rule_id>/streams/
 * <data_collection_stream_name>?api-version=2023-01-01`, as a JSON array of the events: each
 * the envelope with a `TimeGenerated` column first (its `event_timestamp`), up to 1 MB a call.
 *
 * The edge signs in as a Microsoft Entra application (`tenant_id`, `client_id`, `client_secret`)
 * with the client credentials grant (openid-client) for a token to Azure Monitor, and keeps the
 * token until five minutes before it expires, or until the API answers 401. The cloud (public,
 * US Government, China) and so the sign-in host and scope follow from the endpoint's domain.
 */
import type { Configuration } from 'openid-client';
import { onFirstUse } from '../../../packages/on-first-use.ts';
import type { EventEnvelope, EventJson } from '../envelope.ts';
import type { DestinationKind } from './destination.ts';
import { azureCloudOf } from '../../../config/events/azure-clouds.ts';
import { recordPiecesSender } from './record-pieces.ts';

const apiVersion = '2023-01-01';
/** A token is renewed this long before it expires. */
const renewBeforeMs = 5 * 60_000;
const openidClient = onFirstUse(() => import('openid-client'), 'clientCredentialsGrant');

export const azureLogsIngestionDestination: DestinationKind<'azure_logs_ingestion'> = {
  target: 'azure_logs_ingestion',
  create(target, accountId, deps) {
    const cloud = azureCloudOf(target.logs_ingestion_uri);
    if (!cloud)
      throw new Error(
        `target.azure_logs_ingestion.logs_ingestion_uri: ${target.logs_ingestion_uri} is not an Azure Monitor endpoint`,
      );
    const clientSecret = deps.openSecret(accountId, target.client_secret);
    const login = deps.azure?.loginUrl ?? cloud.login;
    const endpoint = (deps.azure?.ingestionUrl ?? target.logs_ingestion_uri).replace(/\/+$/, '');
    const url =
      `${endpoint}/dataCollectionRules/${encodeURIComponent(target.data_collection_rule_id)}` +
      `/streams/${encodeURIComponent(target.data_collection_stream_name)}?api-version=${apiVersion}`;
    const timeoutMs = deps.requestTimeoutMs ?? 10_000;

    let config: Configuration | undefined;
    let token: { value: string; renewAt: number } | undefined;
    const accessToken = async (): Promise<string> => {
      if (token && Date.now() < token.renewAt) return token.value;
      const client = await openidClient();
      if (!config) {
        const tenant = encodeURIComponent(target.tenant_id);
        config = new client.Configuration(
          { issuer: `${login}/${tenant}/v2.0`, token_endpoint: `${login}/${tenant}/oauth2/v2.0/token` },
          target.client_id,
          undefined,
          client.ClientSecretPost(clientSecret),
        );
        config.timeout = Math.ceil(timeoutMs / 1000);
        if (login.startsWith('http:')) client.allowInsecureRequests(config);
      }
      const granted = await client.clientCredentialsGrant(config, { scope: cloud.scope }).catch((err: unknown) => {
        throw new Error(
          `Microsoft Entra sign-in of ${target.client_id} (tenant ${target.tenant_id}): ${oauthErrorText(err)}`,
        );
      });
      const lifetimeMs = (granted.expires_in ?? 3600) * 1000;
      token = { value: granted.access_token, renewAt: Date.now() + Math.max(0, lifetimeMs - renewBeforeMs) };
      return token.value;
    };

    return recordPiecesSender(
      // Each record grows by its TimeGenerated column and a comma; the array by its brackets.
      { records: 10_000, bytes: 1_000_000 - 2, recordOverhead: 48 },
      async (piece) => {
        const body = `[${piece.map(withTimeGenerated).join(',')}]`;
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${await accessToken()}`, 'content-type': 'application/json' },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        const answer = (await res.text().catch(() => '')).slice(0, 300);
        if (res.status === 401) token = undefined;
        if (res.status < 200 || res.status > 299)
          throw new Error(`Azure Logs Ingestion answered ${res.status}${answer ? `: ${answer}` : ''}`);
        return { refused: [] };
      },
    );
  },
};

/** An OAuth error as the token endpoint gave it (Entra's description carries its AADSTS code). */
function oauthErrorText(err: unknown): string {
  const { error, error_description: description } = err as { error?: unknown; error_description?: unknown };
  if (typeof error === 'string') return typeof description === 'string' ? `${error}: ${description}` : error;
  return err instanceof Error ? err.message : String(err);
}

/** The envelope with Log Analytics' time column first. */
function withTimeGenerated(event: EventJson): string {
  const envelope = JSON.parse(event) as EventEnvelope;
  return JSON.stringify({ TimeGenerated: envelope.event_timestamp, ...envelope });
}
