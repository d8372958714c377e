import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.ts';
import { registerIpPolicies } from './ip-policies.ts';
import { registerIpPolicyRules } from './ip-policy-rules.ts';
import { registerIpRestrictions } from './ip-restrictions.ts';
import { backendResources } from './backends/index.ts';
import { registerCredentials } from './credentials.ts';
import { registerApiKeys } from './api-keys.ts';
import { registerTunnels } from './tunnels.ts';
import { registerTunnelSessions } from './tunnel-sessions.ts';
import { registerEndpoints } from './endpoints.ts';
import { eventResources } from './events/index.ts';
import { edgeResources } from './edges/index.ts';
import { registerReservedDomains } from './reserved-domains/reserved-domains.ts';
import { registerReservedAddrs } from './reserved-addrs.ts';
import { registerTlsCertificates } from './tls-certificates/tls-certificates.ts';
import { registerCertificateAuthorities } from './certificate-authorities.ts';

/** Every resource family the API serves, registered in this order. */
export const resources: Array<(app: FastifyInstance, deps: ApiDeps) => void> = [
  registerIpPolicies,
  registerIpPolicyRules,
  registerIpRestrictions,
  ...backendResources,
  registerCredentials,
  registerApiKeys,
  registerTunnels,
  registerTunnelSessions,
  registerEndpoints,
  ...eventResources,
  ...edgeResources,
  registerReservedDomains,
  registerReservedAddrs,
  registerTlsCertificates,
  registerCertificateAuthorities,
];
