/** The edge process's event dispatcher and its queue figures in the metrics. */
import { join } from 'node:path';
import type { EdgeConfig } from '../edge/config.ts';
import { EventDispatcher } from '../edge/events/dispatcher.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/store.ts';
import type { EdgeMetrics } from './edge-metrics.ts';

/** Audit events from the API and traffic events from the proxy, to the subscribed destinations. */
export function eventDispatcher(
  config: EdgeConfig,
  o: {
    store: Store;
    dataDir: string;
    openSecret: (accountId: string, sealed: string) => string;
    metrics: EdgeMetrics;
    logger: Logger;
  },
): EventDispatcher {
  const events = new EventDispatcher({
    store: o.store,
    dataDir: o.dataDir,
    fileDir: config.events?.fileDir ?? join(o.dataDir, 'event-files'),
    datadogIntakeUrl: config.events?.datadogIntakeUrl,
    awsEndpointUrl: config.events?.awsEndpointUrl,
    azure: config.events?.azure,
    limits: config.events?.limits,
    openSecret: o.openSecret,
    logger: o.logger,
  });
  // Drops only ever add up: each destination's growth since the last scrape joins the total, so
  // a deleted destination (or one rebuilt by a change) never takes its drops back out.
  let dropped = 0;
  let dropsSeen = new Map<string, number>();
  o.metrics.registerEventQueueStats(() => {
    let depth = 0;
    const seen = new Map<string, number>();
    for (const d of events.stats()) {
      depth += d.queued;
      dropped += Math.max(0, d.dropped - (dropsSeen.get(d.destinationId) ?? 0));
      seen.set(d.destinationId, d.dropped);
    }
    dropsSeen = seen;
    return { depth, drops: dropped };
  });
  return events;
}
