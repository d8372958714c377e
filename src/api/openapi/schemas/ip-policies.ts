/** IP policies, their rules, and the account's IP restrictions that name them. */
import type { ResourceDoc } from '../resource-doc.ts';
import { bool, list, nullable, ref, str } from './builders.ts';
import { pageOf, stored } from './common.ts';

export const ipPolicyDocs: ResourceDoc[] = [
  {
    path: '/ip_policies',
    tag: 'IPPolicies',
    operation: 'IpPolicies',
    name: 'IPPolicy',
    schema: stored({}),
    list: pageOf('ip_policies', 'IPPolicy'),
  },
  {
    path: '/ip_policy_rules',
    tag: 'IPPolicyRules',
    operation: 'IpPolicyRules',
    name: 'IPPolicyRule',
    schema: stored({ cidr: str, ip_policy: nullable(ref('Ref')), action: str }),
    list: pageOf('ip_policy_rules', 'IPPolicyRule'),
  },
  {
    path: '/ip_restrictions',
    tag: 'IPRestrictions',
    operation: 'IpRestrictions',
    name: 'IPRestriction',
    schema: stored({ enforced: bool, type: str, ip_policies: list(ref('Ref')) }),
    list: pageOf('ip_restrictions', 'IPRestriction'),
  },
];
