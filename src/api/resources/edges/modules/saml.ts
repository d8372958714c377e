import { Type } from 'typebox';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { samlServiceUrls, type SamlServiceUrls } from '../../../../config/modules/saml.ts';
import { invalid } from '../../../errors.ts';
import { sessionOf, sessionProperties, type SessionSettings } from './auth-session.ts';
import { fetchIdpMetadata } from './idp-metadata-url.ts';
import { newSigningKey } from './saml-signing.ts';
import {
  defineModule,
  Enabled,
  enabledOf,
  fieldPath,
  OptionalString,
  StringList,
  stringSecrets,
  type ModuleOwner,
  type StoredModule,
} from './module-spec.ts';

/** Name-id formats an IdP may be asked for; the first is the default. */
export const nameIdFormats = [
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
] as const;

interface SamlModule extends StoredModule, SessionSettings {
  /** The IdP's EntityDescriptor XML (as fetched from `idp_metadata_url` when that is set). */
  idp_metadata: string;
  /** Where the metadata was fetched from when the module was written; "" when given as XML. */
  idp_metadata_url: string;
  force_authn: boolean;
  allow_idp_initiated: boolean;
  authorized_groups: string[];
  nameid_format: string;
  /** The request-signing certificate (PEM), made with the module and kept across its writes (saml-signing.ts). */
  request_signing_certificate_pem: string;
  /** Its private key (PKCS#8 PEM); sealed at rest, never read back. */
  request_signing_private_key: string;
}

/** The SP URLs of a module on `owner` (config/modules/saml.ts). */
function serviceUrls(owner: Pick<ModuleOwner, 'hostports' | 'routeId' | 'edgeId'>): SamlServiceUrls {
  return samlServiceUrls(owner.hostports, owner.routeId ?? owner.edgeId);
}

/** `saml`: require a login with a SAML identity provider. */
export const samlModule = defineModule({
  name: 'saml',
  schema: Type.Object({
    enabled: Enabled,
    ...sessionProperties,
    idp_metadata: OptionalString,
    idp_metadata_url: OptionalString,
    force_authn: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    allow_idp_initiated: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    authorized_groups: StringList,
    nameid_format: OptionalString,
  }),
  normalize: async (body, ctx, field): Promise<SamlModule> => {
    const url = body.idp_metadata_url ?? '';
    const allowHttp = ctx.deps.identity?.allowHttpIdentityProviders ?? false;
    const metadataField = fieldPath(field, url ? 'idp_metadata_url' : 'idp_metadata');
    const metadata = url ? await fetchIdpMetadata(url, metadataField, allowHttp) : (body.idp_metadata ?? '');
    if (!/<(\w+:)?EntityDescriptor[\s>]/.test(metadata)) {
      throw invalid(
        ErrorCode.ERR_NGROK_215,
        metadataField,
        "must be the IdP's metadata XML (an EntityDescriptor document)",
      );
    }
    const format = body.nameid_format || nameIdFormats[0];
    if (!(nameIdFormats as readonly string[]).includes(format))
      throw invalid(
        ErrorCode.ERR_NGROK_215,
        fieldPath(field, 'nameid_format'),
        `use one of ${nameIdFormats.join(', ')}`,
      );
    const key = await newSigningKey('Portico SAML SP');
    return {
      enabled: enabledOf(body),
      ...sessionOf(body, field),
      idp_metadata: metadata,
      idp_metadata_url: url,
      force_authn: body.force_authn ?? false,
      allow_idp_initiated: body.allow_idp_initiated ?? false,
      authorized_groups: body.authorized_groups ?? [],
      nameid_format: format,
      request_signing_certificate_pem: key.certificatePem,
      request_signing_private_key: key.privateKeyPem,
    };
  },
  disabled: (): SamlModule => ({
    enabled: false,
    ...sessionOf({}, ''),
    idp_metadata: '',
    idp_metadata_url: '',
    force_authn: false,
    allow_idp_initiated: false,
    authorized_groups: [],
    nameid_format: nameIdFormats[0],
    request_signing_certificate_pem: '',
    request_signing_private_key: '',
  }),
  // The request-signing key stays what the IdP was given, however often the module is written.
  carry: (next, previous) =>
    previous.request_signing_private_key && previous.request_signing_certificate_pem
      ? {
          ...next,
          request_signing_certificate_pem: previous.request_signing_certificate_pem,
          request_signing_private_key: previous.request_signing_private_key,
        }
      : next,
  read: ({ request_signing_private_key: _key, ...stored }: SamlModule, owner) => ({
    ...stored,
    idp_metadata_url: stored.idp_metadata_url ?? '',
    ...serviceUrls(owner),
    // Modules stored before signing keys existed have none.
    request_signing_certificate_pem: stored.request_signing_certificate_pem ?? '',
  }),
  secrets: stringSecrets<SamlModule>((m, f) => ({
    ...m,
    request_signing_private_key: m.request_signing_private_key
      ? f(m.request_signing_private_key)
      : m.request_signing_private_key,
  })),
});
