/** Live tunnels and tunnel sessions (agents online now; read-only but for session commands). */
import type { ResourceDoc } from '../resource-doc.ts';
import { list, map, nullable, object, ref, str } from './builders.ts';
import { pageOf } from './common.ts';

export const tunnelDocs: ResourceDoc[] = [
  {
    path: '/tunnels',
    tag: 'Tunnels',
    operation: 'Tunnels',
    name: 'Tunnel',
    schema: object({
      id: str,
      public_url: str,
      started_at: str,
      metadata: str,
      proto: str,
      region: str,
      tunnel_session: ref('Ref'),
      endpoint: nullable(ref('Ref')),
      labels: map(str),
      backends: list(ref('Ref')),
      forwards_to: str,
    }),
    list: pageOf('tunnels', 'Tunnel'),
  },
  {
    path: '/tunnel_sessions',
    tag: 'TunnelSessions',
    operation: 'TunnelSessions',
    name: 'TunnelSession',
    schema: object({
      agent_version: str,
      credential: nullable(ref('Ref')),
      id: str,
      ip: str,
      metadata: str,
      os: str,
      region: str,
      started_at: str,
      transport: str,
      uri: str,
    }),
    list: pageOf('tunnel_sessions', 'TunnelSession'),
  },
];
