/**
 * A local event receiver for the e2e tests: records every POST (headers and raw body) and
 * answers with whatever status `answer()` says (200 by default). It checks HTTP batches'
 * signatures with node:crypto on its own, as a user's receiver would (docs/events.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Ngrok } from '@ngrok/ngrok-api';
import type { TestContext } from 'node:test';
import { eventually, startHttpService } from '../../support/services.ts';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface Receiver {
  url: string;
  /** Every request, answered or refused. */
  requests: Received[];
  /** The events of the requests answered 2xx, in order. */
  events(): Array<{ event_id: string; event_type: string; event_timestamp: string; object: Record<string, unknown> }>;
  /** The status the next request gets. */
  answer: () => number;
}

export async function startReceiver(t: TestContext): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    requests: [],
    answer: () => 200,
    events: () =>
      receiver.requests
        .filter((r) => r.status < 300)
        .flatMap((r) => JSON.parse(r.body) as ReturnType<Receiver['events']>),
  };
  const service = await startHttpService(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = receiver.answer();
      receiver.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  receiver.url = `${service.url}/portico-events`;
  return receiver;
}

/**
 * Verifies `Portico-Signature: t=<unix>,v1=<hex>` over the raw body the way the docs tell a
 * receiver to: HMAC-SHA256 keyed by the secret over "<t>.<body>", compared in constant time,
 * with the timestamp within `toleranceS` of now.
 */
export function verifySignature(header: string | undefined, body: string, secret: string, toleranceS = 300): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!parts.v1 || !Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceS) return false;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${t}.`).update(body).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Waits until `receiver` has taken at least `n` events, and returns them. */
export async function eventsAtLeast(receiver: Receiver, n: number, timeoutMs = 10_000) {
  await eventually(() => receiver.events().length >= n, timeoutMs, `${n} events at the receiver`);
  return receiver.events();
}

/**
 * Subscribes `receiver` to `sources` through the official client: an HTTP destination (a
 * Portico target the client has no type for, sent as given) and a subscription to it.
 */
export async function subscribeReceiver(
  ngrok: Ngrok,
  receiver: Receiver,
  sources: Array<{ type: string; fields?: string[] }>,
): Promise<void> {
  const destination = await ngrok.eventDestinations.create({
    format: 'json',
    target: { http: { url: receiver.url, secret: 'receiver-shared-secret-0123456789' } },
  } as unknown as Parameters<Ngrok['eventDestinations']['create']>[0]);
  await ngrok.eventSubscriptions.create({
    sources,
    destinationIds: [destination.id],
  } as unknown as Parameters<Ngrok['eventSubscriptions']['create']>[0]);
}
