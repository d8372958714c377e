/**
 * Every resource family the OpenAPI document describes, in the order of the API's resources
 * (api/resources/index.ts), and the schemas they share. A new resource adds one entry to its
 * family's list (or a new family here).
 */
import type { ResourceDoc } from '../resource-doc.ts';
import type { JsonSchema } from './builders.ts';
import { backendDocs } from './backends.ts';
import { certificateDocs } from './certificates.ts';
import { commonSchemas } from './common.ts';
import { credentialDocs } from './credentials.ts';
import { edgeDocs } from './edges.ts';
import { eventDocs } from './events.ts';
import { ipPolicyDocs } from './ip-policies.ts';
import { moduleSchemas } from './modules.ts';
import { reservedDocs } from './reserved.ts';
import { tunnelDocs } from './tunnels.ts';

export { moduleDocs } from './modules.ts';

export const resourceDocs: readonly ResourceDoc[] = [
  ...ipPolicyDocs,
  ...backendDocs,
  ...credentialDocs,
  ...tunnelDocs,
  ...eventDocs,
  ...edgeDocs,
  ...reservedDocs,
  ...certificateDocs,
];

/** Components not owned by one resource: the error envelope, Empty, Ref, module read shapes. */
export const sharedSchemas: Record<string, JsonSchema> = { ...commonSchemas, ...moduleSchemas };
