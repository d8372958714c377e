import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.ts';
import { registerIpPolicies } from './ip-policies.ts';
import { registerIpPolicyRules } from './ip-policy-rules.ts';

/** Every resource family the API serves, registered in this order. */
export const resources: Array<(app: FastifyInstance, deps: ApiDeps) => void> = [registerIpPolicies, registerIpPolicyRules];
