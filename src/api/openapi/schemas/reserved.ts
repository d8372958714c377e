/** Reserved domains (with their certificate policy and status) and reserved TCP addresses. */
import type { ResourceDoc } from '../resource-doc.ts';
import { extension, list, nullable, object, ref, str } from './builders.ts';
import { pageOf, stored } from './common.ts';

export const reservedDocs: ResourceDoc[] = [
  {
    path: '/reserved_domains',
    tag: 'ReservedDomains',
    operation: 'ReservedDomains',
    name: 'ReservedDomain',
    schema: stored({
      domain: str,
      region: str,
      cname_target: nullable(str),
      certificate: nullable(ref('Ref')),
      certificate_management_policy: nullable(ref('ReservedDomainCertPolicy')),
      certificate_management_status: nullable(ref('ReservedDomainCertStatus')),
      acme_challenge_cname_target: nullable(str),
      resolves_to: extension(
        nullable(list(object({ value: str }))),
        'Where the domain resolves (a region or "global"), as ngrok’s current clients send it.',
      ),
    }),
    parts: {
      ReservedDomainCertPolicy: object({ authority: str, private_key_type: str }),
      ReservedDomainCertStatus: object({
        renews_at: nullable(str),
        provisioning_job: nullable(ref('ReservedDomainCertJob')),
      }),
      ReservedDomainCertJob: object({
        error_code: nullable(str),
        msg: str,
        started_at: str,
        retries_at: nullable(str),
      }),
    },
    list: pageOf('reserved_domains', 'ReservedDomain'),
  },
  {
    path: '/reserved_addrs',
    tag: 'ReservedAddrs',
    operation: 'ReservedAddrs',
    name: 'ReservedAddr',
    schema: stored({ addr: str, region: str }),
    list: pageOf('reserved_addrs', 'ReservedAddr'),
  },
];
