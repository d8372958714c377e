/**
 * Which modules each owner accepts, in the order their slots appear in documents and read
 * shapes (ngrok API v2's edge and route objects, github.com/ngrok/ngrok-openapi). Each list is
 * the registry for its owner's module paths.
 */
import { backendModule } from './backend.ts';
import { circuitBreakerModule } from './circuit-breaker.ts';
import { compressionModule } from './compression.ts';
import { requestHeadersModule, responseHeadersModule } from './headers.ts';
import { ipRestrictionModule } from './ip-restriction.ts';
import type { ModuleSpec } from './module-spec.ts';
import { mutualTlsModule } from './mutual-tls.ts';
import { oauthModule } from './oauth.ts';
import { oidcModule } from './oidc.ts';
import { policyModule } from './policy.ts';
import { samlModule } from './saml.ts';
import { httpsTlsTerminationModule, tlsEdgeTlsTerminationModule } from './tls-termination.ts';
import { userAgentFilterModule } from './user-agent-filter.ts';
import { webhookVerificationModule } from './webhook-verification.ts';
import { websocketTcpConverterModule } from './websocket-tcp-converter.ts';

export type { ModuleOwner, ModuleSpec, StoredModule } from './module-spec.ts';

/** Modules of an HTTPS edge route. */
export const routeModules: readonly ModuleSpec[] = [
  backendModule,
  ipRestrictionModule,
  circuitBreakerModule,
  compressionModule,
  requestHeadersModule,
  responseHeadersModule,
  webhookVerificationModule,
  oauthModule,
  samlModule,
  oidcModule,
  websocketTcpConverterModule,
  userAgentFilterModule,
  policyModule,
];

/** Modules of an HTTPS edge itself (they apply to all its routes). */
export const httpsEdgeModules: readonly ModuleSpec[] = [mutualTlsModule, httpsTlsTerminationModule];

/** Modules of a TLS edge. */
export const tlsEdgeModules: readonly ModuleSpec[] = [
  backendModule,
  ipRestrictionModule,
  mutualTlsModule,
  tlsEdgeTlsTerminationModule,
  policyModule,
];

/** Modules of a TCP edge. */
export const tcpEdgeModules: readonly ModuleSpec[] = [backendModule, ipRestrictionModule, policyModule];

/**
 * Every module name ngrok's edges and routes have (`traffic_policy`: ngrok's newer API), so a
 * create or PATCH body naming one its owner lacks is refused, not dropped.
 */
export const moduleNames: ReadonlySet<string> = new Set([
  ...[...routeModules, ...httpsEdgeModules, ...tlsEdgeModules, ...tcpEdgeModules].map((m) => m.name),
  'traffic_policy',
]);
