/**
 * Edge and route modules: their read shapes (ngrok's `Endpoint*` schemas), each slot's names
 * for module paths, and the slots each edge kind and routes carry.
 */
import type { ModuleDoc } from '../resource-doc.ts';
import { bool, extension, int, list, map, nullable, num, object, ref, str, type JsonSchema } from './builders.ts';

/** Every module slot, with ngrok's tag and operationId parts (`policy` is Portico's). */
export const moduleDocs: readonly ModuleDoc[] = [
  { slot: 'backend', tag: 'Backend', operation: 'Backend', name: 'EndpointBackend' },
  { slot: 'ip_restriction', tag: 'IPRestriction', operation: 'IpRestriction', name: 'EndpointIPPolicy' },
  { slot: 'mutual_tls', tag: 'MutualTLS', operation: 'MutualTls', name: 'EndpointMutualTLS' },
  { slot: 'tls_termination', tag: 'TLSTermination', operation: 'TlsTermination', name: 'EndpointTLSTermination' },
  { slot: 'circuit_breaker', tag: 'CircuitBreaker', operation: 'CircuitBreaker', name: 'EndpointCircuitBreaker' },
  { slot: 'compression', tag: 'Compression', operation: 'Compression', name: 'EndpointCompression' },
  { slot: 'request_headers', tag: 'RequestHeaders', operation: 'RequestHeaders', name: 'EndpointRequestHeaders' },
  { slot: 'response_headers', tag: 'ResponseHeaders', operation: 'ResponseHeaders', name: 'EndpointResponseHeaders' },
  {
    slot: 'webhook_verification',
    tag: 'WebhookVerification',
    operation: 'WebhookVerification',
    name: 'EndpointWebhookValidation',
  },
  { slot: 'oauth', tag: 'OAuth', operation: 'OAuth', name: 'EndpointOAuth' },
  { slot: 'saml', tag: 'SAML', operation: 'Saml', name: 'EndpointSAML' },
  { slot: 'oidc', tag: 'OIDC', operation: 'Oidc', name: 'EndpointOIDC' },
  {
    slot: 'websocket_tcp_converter',
    tag: 'WebsocketTCPConverter',
    operation: 'WebsocketTcpConverter',
    name: 'EndpointWebsocketTCPConverter',
  },
  { slot: 'user_agent_filter', tag: 'UserAgentFilter', operation: 'UserAgentFilter', name: 'EndpointUserAgentFilter' },
  { slot: 'policy', tag: 'Policy', operation: 'Policy', name: 'EndpointPolicy' },
  // Never set on Portico (module-slots.ts): its paths refuse it switched on.
  { slot: 'traffic_policy', tag: 'TrafficPolicy', operation: 'TrafficPolicy', name: 'EndpointTrafficPolicy' },
];

/** `slot: <its read shape or null>` for each of `slots`. */
export function moduleFields(slots: readonly string[]): Record<string, JsonSchema> {
  const fields: Record<string, JsonSchema> = {};
  for (const slot of slots) {
    const name = moduleDocs.find((m) => m.slot === slot)!.name;
    fields[slot] = slot === 'policy' ? policyField : nullable(ref(name));
  }
  return fields;
}

/** `policy`: API client 0.11.0's traffic policy, beside ngrok's current `traffic_policy` (always null). */
const policyField = extension(
  nullable(ref('EndpointPolicy')),
  "Traffic policy rules (API client 0.11.0's module); ngrok's traffic_policy reads null.",
);
export const trafficPolicyField = nullable(ref('EndpointTrafficPolicy'));

const oauthProvider = object({
  client_id: nullable(str),
  client_secret: nullable(str),
  scopes: list(str),
  email_addresses: list(str),
  email_domains: list(str),
});
const session = { options_passthrough: bool, cookie_prefix: str, inactivity_timeout: int, maximum_duration: int };
const headers = object({ enabled: bool, add: map(str), remove: list(str) });
const rule = object({
  name: str,
  expressions: list(str),
  actions: list(object({ type: str, config: nullable({ type: 'object' }) })),
});

/** Module read shapes and the schemas they use. */
export const moduleSchemas: Record<string, JsonSchema> = {
  EndpointBackend: object({ enabled: bool, backend: nullable(ref('Ref')) }),
  EndpointIPPolicy: object({ enabled: bool, ip_policies: list(ref('Ref')) }),
  EndpointMutualTLS: object({ enabled: bool, certificate_authorities: list(ref('Ref')) }),
  EndpointTLSTermination: object({ enabled: bool, terminate_at: str, min_version: nullable(str) }),
  EndpointCircuitBreaker: object({
    enabled: bool,
    tripped_duration: int,
    rolling_window: int,
    num_buckets: int,
    volume_threshold: int,
    error_threshold_percentage: num,
  }),
  EndpointCompression: object({ enabled: bool }),
  EndpointRequestHeaders: headers,
  EndpointResponseHeaders: headers,
  EndpointWebhookValidation: object({ enabled: bool, provider: str, secret: str }),
  EndpointOAuth: object({
    enabled: bool,
    provider: nullable(ref('EndpointOAuthProvider')),
    ...session,
    auth_check_interval: int,
  }),
  EndpointOAuthProvider: object({
    github: nullable(ref('EndpointOAuthGitHub')),
    facebook: nullable(ref('EndpointOAuthFacebook')),
    microsoft: nullable(ref('EndpointOAuthMicrosoft')),
    google: nullable(ref('EndpointOAuthGoogle')),
    linkedin: nullable(ref('EndpointOAuthLinkedIn')),
    gitlab: nullable(ref('EndpointOAuthGitLab')),
    twitch: nullable(ref('EndpointOAuthTwitch')),
    amazon: nullable(ref('EndpointOAuthAmazon')),
  }),
  EndpointOAuthGitHub: object({
    ...(oauthProvider.properties as Record<string, JsonSchema>),
    teams: list(str),
    organizations: list(str),
  }),
  EndpointOAuthFacebook: oauthProvider,
  EndpointOAuthMicrosoft: oauthProvider,
  EndpointOAuthGoogle: oauthProvider,
  EndpointOAuthLinkedIn: oauthProvider,
  EndpointOAuthGitLab: oauthProvider,
  EndpointOAuthTwitch: oauthProvider,
  EndpointOAuthAmazon: oauthProvider,
  EndpointSAML: object({
    enabled: bool,
    ...session,
    idp_metadata: str,
    force_authn: bool,
    allow_idp_initiated: bool,
    authorized_groups: list(str),
    entity_id: str,
    assertion_consumer_service_url: str,
    single_logout_url: str,
    request_signing_certificate_pem: str,
    metadata_url: str,
    nameid_format: str,
    idp_metadata_url: extension(str, 'Where the IdP metadata is fetched from ("" when given inline).'),
  }),
  EndpointOIDC: object({
    enabled: bool,
    ...session,
    issuer: str,
    client_id: str,
    client_secret: str,
    scopes: list(str),
  }),
  EndpointWebsocketTCPConverter: object({ enabled: bool }),
  EndpointUserAgentFilter: object({ enabled: bool, allow: list(str), deny: list(str) }),
  EndpointTrafficPolicy: object({ enabled: bool, value: str }),
  EndpointPolicy: {
    ...object({ enabled: bool, inbound: list(rule), outbound: list(rule) }),
    'x-portico-extension': true,
    description: "API client 0.11.0's traffic policy module (Portico's `policy`).",
  },
};
