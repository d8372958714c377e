import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { ResourceRecord } from '../../store/resources.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../resource-fields.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import { registerCrud } from '../crud.ts';
import { stillInUse } from '../errors.ts';
import type { CaFields } from '../../config/certificates/certificate-fields.ts';
import { checkCaBundle } from '../../config/certificates/pem.ts';
import { ErrorCode } from '../../errors/catalogue.ts';
import { pemApiError } from './tls-certificates/tls-certificates.ts';

export const certificateAuthorityPath = '/certificate_authorities';
/** The store kind of certificate authorities (mutual_tls modules refer to them by id). */
export const certificateAuthorityKind = 'certificate_authority';

/** A certificate authority as stored: the PEM and the fields parsed from its first certificate. */
export interface CertificateAuthorityDoc extends CommonDoc, CaFields {
  /** One or more CA certificates, PEM. */
  ca_pem: string;
}

const CertificateAuthorityCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  ca_pem: Type.String(),
});
const CertificateAuthorityUpdate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
});
type CertificateAuthorityCreate = Static<typeof CertificateAuthorityCreate>;
type CertificateAuthorityUpdate = Static<typeof CertificateAuthorityUpdate>;

// The x509 tooling that reads the CA's fields loads with the first upload, not with the API.
async function caDoc(body: CertificateAuthorityCreate): Promise<CertificateAuthorityDoc> {
  const { caFields } = await import('../../config/certificates/certificate-fields.ts');
  try {
    const certs = checkCaBundle(body.ca_pem);
    return { ...commonCreate(body), ...caFields(certs[0]!), ca_pem: body.ca_pem.trim() + '\n' };
  } catch (err) {
    throw pemApiError(err);
  }
}

function readCa(record: ResourceRecord<CertificateAuthorityDoc>, ctx: ApiContext): Record<string, unknown> {
  const d = record.doc;
  return {
    ...commonRead(ctx, certificateAuthorityPath, record),
    ca_pem: d.ca_pem,
    subject_common_name: d.subject_common_name,
    not_before: d.not_before,
    not_after: d.not_after,
    key_usages: d.key_usages,
    extended_key_usages: d.extended_key_usages,
  };
}

async function checkUnused(record: ResourceRecord<CertificateAuthorityDoc>, ctx: ApiContext): Promise<void> {
  const users = await ctx.deps.store.resources.referencing(ctx.account.id, record.id, record.id);
  if (users.length)
    throw stillInUse(
      ErrorCode.ERR_RESOURCE_IN_USE,
      `certificate authority ${record.id}`,
      users.map((u) => u.id),
    );
}

/** Certificate authorities: roots that mutual_tls modules verify client certificates against. */
export function registerCertificateAuthorities(app: FastifyInstance, deps: ApiDeps): void {
  registerCrud<CertificateAuthorityDoc, CertificateAuthorityCreate, CertificateAuthorityUpdate>(app, deps, {
    path: certificateAuthorityPath,
    kind: certificateAuthorityKind,
    prefix: 'ca',
    listKey: 'certificate_authorities',
    createSchema: CertificateAuthorityCreate,
    updateSchema: CertificateAuthorityUpdate,
    create: async (body) => ({ doc: await caDoc(body) }),
    update: async (doc, body) => commonPatch(doc, body),
    read: readCa,
    beforeDelete: checkUnused,
  });
}
