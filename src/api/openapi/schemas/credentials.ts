/** API keys and tunnel credentials (authtokens): `token` is only set in the answer to create. */
import type { ResourceDoc } from '../resource-doc.ts';
import { list, nullable, str } from './builders.ts';
import { pageOf, stored } from './common.ts';

export const credentialDocs: ResourceDoc[] = [
  {
    path: '/api_keys',
    tag: 'APIKeys',
    operation: 'ApiKeys',
    name: 'APIKey',
    schema: stored({ token: nullable(str), owner_id: nullable(str) }),
    list: pageOf('keys', 'APIKey'),
  },
  {
    path: '/credentials',
    tag: 'Credentials',
    operation: 'Credentials',
    name: 'Credential',
    schema: stored({ token: nullable(str), acl: list(str), owner_id: nullable(str) }),
    list: pageOf('credentials', 'Credential'),
  },
];
