/**
 * Azure Monitor's Logs Ingestion API on loopback, for the azure_logs_ingestion tests:
 * - Microsoft Entra's token endpoint played by `oidc-provider`, an OAuth server independent of
 *   the openid-client the edge signs in with: one confidential application allowed the client
 *   credentials grant for Azure Monitor's scope, its token endpoint at Entra's path
 *   (`/<tenant>/oauth2/v2.0/token`);
 * - an ingestion endpoint that takes `POST /dataCollectionRules/<id>/streams/<stream>`, checks
 *   each bearer token with the provider's introspection (active, issued to the application for
 *   that scope) and records the JSON array it was sent; 204 as Azure answers, or what `answer()`
 *   says.
 */
import http from 'node:http';
import type net from 'node:net';
import type { TestContext } from 'node:test';
import Provider from 'oidc-provider';
import { defer } from '../../support/defer.ts';
import { startHttpService } from '../../support/services.ts';

export const azureScope = 'https://monitor.azure.com//.default';

export interface AzureApp {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface Upload {
  path: string;
  /** Whether the provider found the bearer token active, for the app and the scope. */
  authorized: boolean;
  status: number;
  records: Array<Record<string, unknown>>;
}

export interface AzureStandIn {
  loginUrl: string;
  ingestionUrl: string;
  /** The ingestion endpoint's HTTP server (a test shortens its keep-alive), and the TCP connections opened to it. */
  ingestion: http.Server;
  connections: number;
  /** Tokens the provider issued. */
  tokensIssued: number;
  uploads: Upload[];
  /** The status the next authorized upload gets (204 by default). */
  answer: () => number;
}

export async function startAzureStandIn(t: TestContext, app: AzureApp): Promise<AzureStandIn> {
  const introspector = { client_id: 'ingestion-endpoint', client_secret: 'ingestion-endpoint-secret' };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const loginUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const standIn: AzureStandIn = {
    loginUrl,
    ingestionUrl: '',
    ingestion: server,
    connections: 0,
    tokensIssued: 0,
    uploads: [],
    answer: () => 204,
  };

  const provider = new (Provider as unknown as new (issuer: string, config: object) => OidcProvider)(
    `${loginUrl}/${app.tenantId}/v2.0`,
    {
      clients: [
        {
          client_id: app.clientId,
          client_secret: app.clientSecret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: 'client_secret_post',
          scope: azureScope,
        },
        { ...introspector, grant_types: [], response_types: [], redirect_uris: [] },
      ],
      scopes: [azureScope],
      features: {
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        devInteractions: { enabled: false },
      },
      routes: { token: `/${app.tenantId}/oauth2/v2.0/token`, introspection: '/introspect' },
      ttl: { ClientCredentials: 3600 },
      cookies: { keys: ['portico-test-cookie-key'] },
    },
  );
  provider.on('client_credentials.saved', () => standIn.tokensIssued++);
  const handler = provider.callback();

  const ingestion = await startHttpService(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
        const authorized = token !== undefined && (await introspect(token));
        const status = authorized ? standIn.answer() : 401;
        const body = Buffer.concat(chunks).toString('utf8');
        standIn.uploads.push({
          path: req.url ?? '',
          authorized,
          status,
          records: JSON.parse(body || '[]') as Upload['records'],
        });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          status === 204 ? undefined : JSON.stringify({ error: { code: 'Test', message: `answered ${status}` } }),
        );
      })();
    });
  });
  standIn.ingestionUrl = ingestion.url;
  standIn.ingestion = ingestion.server;
  ingestion.server.on('connection', () => standIn.connections++);

  async function introspect(token: string): Promise<boolean> {
    const res = await fetch(`${loginUrl}/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, ...introspector }),
    });
    const found = (await res.json()) as { active?: boolean; client_id?: string; scope?: string };
    return found.active === true && found.client_id === app.clientId && found.scope === azureScope;
  }
  return standIn;
}

interface OidcProvider {
  callback(): http.RequestListener;
  on(event: string, listener: () => void): void;
}
