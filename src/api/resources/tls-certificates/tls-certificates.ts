import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { ResourceRecord } from '../../../store/resources.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../common.ts';
import type { ApiContext, ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { ApiError, stillInUse } from '../../errors.ts';
import { certificateFields, type CertificateFields } from './certificate-fields.ts';
import { decryptSecret, encryptSecret } from './key-encryption.ts';
import { checkBundle, PemError, type PrivateKeyType } from './pem.ts';

export const tlsCertificatePath = '/tls_certificates';
/** The store kind of TLS certificates (uploaded, and later ACME-issued). */
export const tlsCertificateKind = 'tls_certificate';

/** A TLS certificate as stored: the bundle, the encrypted key and the fields parsed from the leaf at upload. */
export interface TlsCertificateDoc extends CommonDoc, CertificateFields {
  /** The bundle as uploaded, leaf first. */
  certificate_pem: string;
  /** The private key PEM, encrypted (key-encryption.ts) with the owning account id as context. */
  private_key_encrypted: string;
  private_key_type: PrivateKeyType;
  /** When the ACME manager issued it; null for uploads. */
  issued_at: string | null;
}

const TlsCertificateCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  certificate_pem: Type.String(),
  private_key_pem: Type.String(),
});
const TlsCertificateUpdate = Type.Object({ description: Type.Optional(Description), metadata: Type.Optional(Metadata) });
type TlsCertificateCreate = Static<typeof TlsCertificateCreate>;
type TlsCertificateUpdate = Static<typeof TlsCertificateUpdate>;

/** A PemError as the API's 400, naming the field. */
export function pemApiError(err: unknown): unknown {
  return err instanceof PemError ? new ApiError(400, err.code, `${err.field}: ${err.message}`, { field: err.field }) : err;
}

/**
 * Checks an upload (order, chain, key type, key match) and builds its stored document with
 * the key encrypted for `accountId`. Throws a 400 ApiError for anything wrong.
 */
export function tlsCertificateDoc(encryptionKey: Buffer, accountId: string, body: TlsCertificateCreate, issuedAt: string | null = null): TlsCertificateDoc {
  try {
    const { chain, keyType } = checkBundle(body.certificate_pem, body.private_key_pem);
    return {
      ...commonCreate(body),
      ...certificateFields(chain[0]!),
      certificate_pem: body.certificate_pem.trim() + '\n',
      private_key_encrypted: encryptSecret(encryptionKey, body.private_key_pem, accountId),
      private_key_type: keyType,
      issued_at: issuedAt,
    };
  } catch (err) {
    throw pemApiError(err);
  }
}

/** The plain private key PEM of a stored certificate (for the data plane's certificate store). */
export function tlsCertificateKey(encryptionKey: Buffer, record: ResourceRecord<TlsCertificateDoc>): string {
  return decryptSecret(encryptionKey, record.doc.private_key_encrypted, record.account_id);
}

// Empty subject parts are omitted, as ngrok omits empty strings.
const optionalStrings = ['issuer_common_name', 'subject_organization', 'subject_organizational_unit', 'subject_locality', 'subject_province', 'subject_country'] as const;

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
  if (users.length) throw stillInUse('ERR_RESOURCE_IN_USE', `certificate ${record.id}`, users.map((u) => u.id));
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
    create: async (body, ctx) => ({ doc: tlsCertificateDoc(deps.encryptionKey, ctx.account.id, body) }),
    update: async (doc, body) => commonPatch(doc, body),
    read: readCertificate,
    beforeDelete: checkUnused,
  });
}
