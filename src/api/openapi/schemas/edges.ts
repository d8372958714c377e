/** HTTPS edges and their routes, TLS edges, TCP edges. */
import type { ResourceDoc } from '../resource-doc.ts';
import { list, nullable, object, ref, str } from './builders.ts';
import { pageOf, stored } from './common.ts';
import { moduleFields, trafficPolicyField } from './modules.ts';

const hostports = nullable(list(str));

export const edgeDocs: ResourceDoc[] = [
  {
    path: '/edges/https',
    tag: 'EdgesHTTPS',
    operation: 'EdgesHttps',
    name: 'HTTPSEdge',
    schema: stored({
      hostports,
      ...moduleFields(['mutual_tls', 'tls_termination']),
      routes: list(ref('HTTPSEdgeRoute')),
    }),
    list: pageOf('https_edges', 'HTTPSEdge'),
    modules: { tag: 'HTTPSEdge', operation: 'HttpsEdge' },
  },
  {
    path: '/edges/https/{edge_id}/routes',
    tag: 'EdgesHTTPSRoutes',
    operation: 'EdgesHttpsRoutes',
    name: 'HTTPSEdgeRoute',
    schema: object({
      edge_id: str,
      id: str,
      created_at: str,
      match_type: str,
      match: str,
      uri: str,
      description: str,
      metadata: str,
      ...moduleFields([
        'backend',
        'ip_restriction',
        'circuit_breaker',
        'compression',
        'request_headers',
        'response_headers',
        'webhook_verification',
        'oauth',
        'saml',
        'oidc',
        'websocket_tcp_converter',
        'user_agent_filter',
        'policy',
      ]),
      traffic_policy: trafficPolicyField,
    }),
    modules: { tag: 'EdgeRoute', operation: 'EdgeRoute' },
  },
  {
    path: '/edges/tls',
    tag: 'EdgesTLS',
    operation: 'EdgesTls',
    name: 'TLSEdge',
    schema: stored({
      hostports,
      ...moduleFields(['backend', 'ip_restriction', 'mutual_tls', 'tls_termination', 'policy']),
      traffic_policy: trafficPolicyField,
    }),
    list: pageOf('tls_edges', 'TLSEdge'),
    modules: { tag: 'TLSEdge', operation: 'TlsEdge' },
  },
  {
    path: '/edges/tcp',
    tag: 'EdgesTCP',
    operation: 'EdgesTcp',
    name: 'TCPEdge',
    schema: stored({
      hostports,
      ...moduleFields(['backend', 'ip_restriction', 'policy']),
      traffic_policy: trafficPolicyField,
    }),
    list: pageOf('tcp_edges', 'TCPEdge'),
    modules: { tag: 'TCPEdge', operation: 'TcpEdge' },
  },
];
