/** The backend kinds under `/backends/<kind>`, all listed under `backends`. */
import type { ResourceDoc } from '../resource-doc.ts';
import { bool, int, list, map, object, ref, str } from './builders.ts';
import { pageOf, stored } from './common.ts';

export const backendDocs: ResourceDoc[] = [
  {
    path: '/backends/failover',
    tag: 'FailoverBackends',
    operation: 'FailoverBackends',
    name: 'FailoverBackend',
    schema: stored({ backends: list(str) }),
    list: pageOf('backends', 'FailoverBackend'),
  },
  {
    path: '/backends/http_response',
    tag: 'HTTPResponseBackends',
    operation: 'HttpResponseBackends',
    name: 'HTTPResponseBackend',
    schema: stored({ body: str, headers: map(str), status_code: int }),
    list: pageOf('backends', 'HTTPResponseBackend'),
  },
  {
    path: '/backends/static',
    tag: 'StaticBackends',
    operation: 'StaticBackends',
    name: 'StaticBackend',
    schema: stored({ address: str, tls: ref('StaticBackendTLS') }),
    parts: { StaticBackendTLS: object({ enabled: bool }) },
    list: pageOf('backends', 'StaticBackend'),
  },
  {
    path: '/backends/tunnel_group',
    tag: 'TunnelGroupBackends',
    operation: 'TunnelGroupBackends',
    name: 'TunnelGroupBackend',
    schema: stored({ labels: map(str), tunnels: list(ref('Ref')) }),
    list: pageOf('backends', 'TunnelGroupBackend'),
  },
  {
    path: '/backends/weighted',
    tag: 'WeightedBackends',
    operation: 'WeightedBackends',
    name: 'WeightedBackend',
    schema: stored({ backends: map(int) }),
    list: pageOf('backends', 'WeightedBackend'),
  },
];
