import http from 'node:http';
import { Ngrok } from '@ngrok/ngrok-api';
import type { TestEdge } from './edge.ts';

/** The official ngrok API client pointed at the edge under test, with its bootstrap API key. */
export function apiClient(edge: TestEdge, apiKey = edge.credentials.apiKey): Ngrok {
  return new Ngrok({ apiToken: apiKey, baseUrl: edge.bootstrap.api_url });
}

/** Raw API call (for what the client cannot express: bad input, other accounts). */
export async function apiFetch(
  edge: TestEdge,
  method: string,
  path: string,
  body?: unknown,
  apiKey = edge.credentials.apiKey,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(edge.bootstrap.api_url + path, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'ngrok-version': '2', 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A second account with its own API key, created through the store (as `portico account create` does). */
export async function otherAccount(
  edge: TestEdge,
  name = 'other',
): Promise<{ accountId: string; apiKey: string; authtoken: string }> {
  const account = await edge.store.accounts.create(name);
  const { token: apiKey } = await edge.store.apiKeys.create(account.id, {});
  const { token: authtoken } = await edge.store.credentials.create(account.id, {});
  return { accountId: account.id, apiKey: apiKey.reveal(), authtoken: authtoken.reveal() };
}

/** `apiFetch` from a chosen loopback source address (IP restrictions of the API). */
export function apiFetchFrom(
  edge: TestEdge,
  localAddress: string,
  method: string,
  path: string,
  body?: unknown,
  apiKey = edge.credentials.apiKey,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(edge.bootstrap.api_url + path);
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${apiKey}`, 'ngrok-version': '2', 'content-type': 'application/json' };
    const req = http.request(url, { method, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end(text);
  });
}
