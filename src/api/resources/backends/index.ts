import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../context.ts';
import { registerFailoverBackends } from './failover.ts';
import { registerHttpResponseBackends } from './http-response.ts';
import { registerStaticBackends } from './static.ts';
import { registerTunnelGroupBackends } from './tunnel-group.ts';
import { registerWeightedBackends } from './weighted.ts';

/** The five backend kinds' collections under /backends. */
export const backendResources: Array<(app: FastifyInstance, deps: ApiDeps) => void> = [
  registerFailoverBackends,
  registerTunnelGroupBackends,
  registerWeightedBackends,
  registerHttpResponseBackends,
  registerStaticBackends,
];
