import { Type } from 'typebox';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { invalid } from '../../../errors.ts';
import { sessionOf, sessionProperties, type SessionSettings } from './auth-session.ts';
import {
  defineModule,
  Enabled,
  enabledOf,
  fieldPath,
  OptionalString,
  StringList,
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
  /** The IdP's EntityDescriptor XML. */
  idp_metadata: string;
  force_authn: boolean;
  allow_idp_initiated: boolean;
  authorized_groups: string[];
  nameid_format: string;
}

/**
 * The service-provider URLs of a route's SAML module, on the edge's first hostport:
 * `https://<host>/saml/<route id>/{metadata,acs,slo}`. The entity id is the metadata URL.
 * Empty strings while the edge has no hostport.
 */
export function samlServiceUrls(owner: Pick<ModuleOwner, 'hostports' | 'routeId' | 'edgeId'>): {
  entity_id: string;
  assertion_consumer_service_url: string;
  single_logout_url: string;
  metadata_url: string;
} {
  const first = owner.hostports[0];
  if (!first) return { entity_id: '', assertion_consumer_service_url: '', single_logout_url: '', metadata_url: '' };
  const [host, port] = [first.slice(0, first.lastIndexOf(':')), first.slice(first.lastIndexOf(':') + 1)];
  const base = `https://${host}${port === '443' ? '' : `:${port}`}/saml/${owner.routeId ?? owner.edgeId}`;
  return {
    entity_id: `${base}/metadata`,
    assertion_consumer_service_url: `${base}/acs`,
    single_logout_url: `${base}/slo`,
    metadata_url: `${base}/metadata`,
  };
}

/** `saml`: require a login with a SAML identity provider. */
export const samlModule = defineModule({
  name: 'saml',
  schema: Type.Object({
    enabled: Enabled,
    ...sessionProperties,
    idp_metadata: Type.String(),
    force_authn: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    allow_idp_initiated: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    authorized_groups: StringList,
    nameid_format: OptionalString,
  }),
  normalize: (body, _ctx, field): SamlModule => {
    if (!/<(\w+:)?EntityDescriptor[\s>]/.test(body.idp_metadata)) {
      throw invalid(
        ErrorCode.ERR_NGROK_215,
        fieldPath(field, 'idp_metadata'),
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
    return {
      enabled: enabledOf(body),
      ...sessionOf(body, field),
      idp_metadata: body.idp_metadata,
      force_authn: body.force_authn ?? false,
      allow_idp_initiated: body.allow_idp_initiated ?? false,
      authorized_groups: body.authorized_groups ?? [],
      nameid_format: format,
    };
  },
  // The request-signing certificate is issued by the SAML issue; until then it is "".
  read: (stored: SamlModule, owner) => ({ ...stored, ...samlServiceUrls(owner), request_signing_certificate_pem: '' }),
});
