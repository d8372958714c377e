/**
 * What a dead event destination costs traffic: the same HTTP load through the tunnel with no
 * subscription, then with a subscription to `http_request_complete.v0` whose HTTP destination
 * refuses every connection (a loopback port nothing listens on), back to back in each round.
 * The edge then retries with backoff and drops what its bounded queue cannot hold; the ratio
 * shows whether traffic noticed. Each measured run follows a warm-up of the same load, as the
 * HTTP phase's do; with the dead destination, warm-ups go on until its queue is full
 * (`portico_event_queue_depth` on the edge's `/metrics`), so that the run measures a
 * destination that stays down, not the first seconds in which its queue fills.
 */
import net from 'node:net';
import { Ngrok } from '@ngrok/ngrok-api';
import { deliveryDefaults } from '../src/edge/events/delivery.ts';
import { runLoad, type LoadResult } from './load.ts';
import { medianBy, type PhaseContext } from './phases.ts';
import { rssMiB } from './proc.ts';

export interface EventsPhase {
  /** Through the tunnel, no subscription. */
  without: LoadResult;
  /** Through the tunnel, every request's event queued for a destination that is down. */
  withDead: LoadResult;
  /** The edge's RSS in MiB once the dead destination's queue was full (the last round's). */
  queueFullRss: number;
}

export async function eventsPhase(ctx: PhaseContext): Promise<EventsPhase> {
  const { apiUrl, apiKey } = ctx.stack.edge.ready;
  const ngrok = new Ngrok({ apiToken: apiKey, baseUrl: apiUrl });
  const target = ctx.stack.httpTunnel;
  const without: LoadResult[] = [];
  const withDead: LoadResult[] = [];
  let queueFullRss = NaN;
  for (let round = 0; round < ctx.settings.rounds; round++) {
    await warmUp(ctx);
    without.push(await measured(ctx, 'no event subscription', () => runLoad(target, ctx.load)));
    const destination = await ngrok.eventDestinations.create({
      format: 'json',
      target: { http: { url: `http://127.0.0.1:${await closedPort()}/events`, secret: 'bench-dead-destination' } },
    } as unknown as Parameters<Ngrok['eventDestinations']['create']>[0]);
    const subscription = await ngrok.eventSubscriptions.create({
      sources: [{ type: 'http_request_complete.v0' }],
      destinationIds: [destination.id],
    });
    // The dispatcher follows the store asynchronously; give it a moment to take the subscription.
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < maxFillWarmUps && (await queueDepth(apiUrl)) < deliveryDefaults.maxQueue; i++)
      await warmUp(ctx);
    queueFullRss = rssMiB(ctx.stack.edge.pid);
    ctx.log(
      `dead event destination: ${await queueDepth(apiUrl)} events queued after warm-up, edge RSS ${queueFullRss.toFixed(1)} MiB`,
    );
    withDead.push(await measured(ctx, 'dead event destination', () => runLoad(target, ctx.load)));
    await ngrok.eventSubscriptions.delete(subscription.id);
    await ngrok.eventDestinations.delete(destination.id);
  }
  return { without: medianBy(without), withDead: medianBy(withDead), queueFullRss };
}

/** Warm-ups tried while the dead destination's queue fills. */
export const maxFillWarmUps = 5;

async function warmUp(ctx: PhaseContext): Promise<void> {
  if (ctx.settings.warmupSeconds > 0)
    await runLoad(ctx.stack.httpTunnel, { ...ctx.load, seconds: ctx.settings.warmupSeconds });
}

/** Events waiting for delivery at the edge, from its `/metrics` (the bench's edge has no metrics key). */
async function queueDepth(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return Number(/^portico_event_queue_depth (\d+)/m.exec(text)?.[1] ?? 0);
}

async function measured(ctx: PhaseContext, what: string, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const result = await run();
  ctx.log(
    `HTTP tunnel, ${what}: ${Math.round(result.rps)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, ${result.errors} errors`,
  );
  return result;
}

/** A loopback port that was free a moment ago: connections to it are refused. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
