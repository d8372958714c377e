import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { ResourceRecord } from '../../../store/resources.ts';
import { commonPatch, commonRead, Description, Metadata } from '../../resource-fields.ts';
import type { ApiContext, ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { ApiError, stillInUse } from '../../errors.ts';
import { PemError } from '../../../config/certificates/pem.ts';
import { tlsCertificateKind, type TlsCertificateDoc } from '../../../config/documents/tls-certificate.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';

export const tlsCertificatePath = '/tls_certificates';
export { tlsCertificateKind, type TlsCertificateDoc };

const TlsCertificateCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  certificate_pem: Type.String(),
  private_key_pem: Type.String(),
});
const TlsCertificateUpdate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
});
type TlsCertificateCreate = Static<typeof TlsCertificateCreate>;
type TlsCertificateUpdate = Static<typeof TlsCertificateUpdate>;

/** A PemError as the API's 400, naming the field. */
export function pemApiError(err: unknown): unknown {
  return err instanceof PemError ? new ApiError(err.code, `${err.field}: ${err.message}`, { field: err.field }) : err;
}

/**
 * The stored document of an upload; a 400 ApiError naming the field for anything wrong. The x509
 * tooling that reads the certificate's fields loads with the first upload, not with the API.
 */
async function uploadDoc(
  encryptionKey: Buffer,
  accountId: string,
  body: TlsCertificateCreate,
): Promise<TlsCertificateDoc> {
  const { tlsCertificateDoc } = await import('../../../config/documents/tls-certificate-from-pem.ts');
  try {
    return tlsCertificateDoc(encryptionKey, accountId, body);
  } catch (err) {
    throw pemApiError(err);
  }
}

// Empty subject parts are omitted, as ngrok omits empty strings.
const optionalStrings = [
  'issuer_common_name',
  'subject_organization',
  'subject_organizational_unit',
  'subject_locality',
  'subject_province',
  'subject_country',
] as const;

function readCertificate(record: ResourceRecord<TlsCertificateDoc>, ctx: ApiContext): Record<string, unknown> {
  const d = record.doc;
  const out: Record<string, unknown> = {
    ...commonRead(ctx, tlsCertificatePath, record),
    certificate_pem: d.certificate_pem,
    subject_common_name: d.subject_common_name,
    subject_alternative_names: d.subject_alternative_names,
    issued_at: d.issued_at ?? null,
    not_before: d.not_before,
    not_after: d.not_after,
    key_usages: d.key_usages,
    extended_key_usages: d.extended_key_usages,
    private_key_type: d.private_key_type,
    serial_number: d.serial_number,
  };
  for (const field of optionalStrings) if (d[field]) out[field] = d[field];
  return out;
}

async function checkUnused(record: ResourceRecord<TlsCertificateDoc>, ctx: ApiContext): Promise<void> {
  const users = await ctx.deps.store.resources.referencing(ctx.account.id, record.id, record.id);
  if (users.length)
    throw stillInUse(
      ErrorCode.ERR_RESOURCE_IN_USE,
      `certificate ${record.id}`,
      users.map((u) => u.id),
    );
}

/** TLS certificates: uploaded bundles with their keys, attached to reserved domains by certificate_id. */
export function registerTlsCertificates(app: FastifyInstance, deps: ApiDeps): void {
  registerCrud<TlsCertificateDoc, TlsCertificateCreate, TlsCertificateUpdate>(app, deps, {
    path: tlsCertificatePath,
    kind: tlsCertificateKind,
    prefix: 'cert',
    listKey: 'tls_certificates',
    createSchema: TlsCertificateCreate,
    updateSchema: TlsCertificateUpdate,
    create: async (body, ctx) => ({ doc: await uploadDoc(deps.encryptionKey, ctx.account.id, body) }),
    update: async (doc, body) => commonPatch(doc, body),
    read: readCertificate,
    beforeDelete: checkUnused,
  });
}
