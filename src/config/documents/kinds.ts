/** The store kinds of the configuration records the data plane serves from. */
export const configKinds = {
  httpsEdge: 'https_edge',
  tlsEdge: 'tls_edge',
  tcpEdge: 'tcp_edge',
  failoverBackend: 'failover_backend',
  tunnelGroupBackend: 'tunnel_group_backend',
  weightedBackend: 'weighted_backend',
  httpResponseBackend: 'http_response_backend',
  staticBackend: 'static_backend',
  certificateAuthority: 'certificate_authority',
  ipPolicy: 'ip_policy',
  ipPolicyRule: 'ip_policy_rule',
  ipRestriction: 'ip_restriction',
} as const;

/** The backend kinds, which edges, routes and other backends refer to by id. */
export const backendKinds = [
  configKinds.tunnelGroupBackend,
  configKinds.failoverBackend,
  configKinds.weightedBackend,
  configKinds.httpResponseBackend,
  configKinds.staticBackend,
] as const;

/** The edge kinds. */
export const edgeKinds = [configKinds.httpsEdge, configKinds.tlsEdge, configKinds.tcpEdge] as const;

/** Every kind a configuration compiles from: a write to one of them is checked by compiling. */
export const compiledKinds: readonly string[] = Object.values(configKinds);
