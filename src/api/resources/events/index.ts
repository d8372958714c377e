/** Event destinations, subscriptions and their sources, in registration order. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../context.ts';
import { registerEventDestinations } from './event-destinations.ts';
import { registerEventSources } from './event-sources.ts';
import { registerEventSubscriptions } from './event-subscriptions.ts';

export const eventResources: Array<(app: FastifyInstance, deps: ApiDeps) => void> = [
  registerEventDestinations,
  registerEventSubscriptions,
  registerEventSources,
];
