import { Type } from 'typebox';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { invalid } from '../../../errors.ts';
import { sessionOf, sessionProperties, type SessionSettings } from './auth-session.ts';
import {
  defineModule,
  Enabled,
  enabledOf,
  fieldPath,
  StringList,
  stringSecrets,
  type StoredModule,
} from './module-spec.ts';

interface OidcModule extends StoredModule, SessionSettings {
  /** The OpenID provider's base URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  client_id: string;
  /** Sealed at rest; returned on read. */
  client_secret: string;
  /** Scopes to request; default ["openid", "profile", "email"]. */
  scopes: string[];
}

/** Scopes asked for when none are given. */
export const defaultOidcScopes = ['openid', 'profile', 'email'];

function issuerOf(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      fieldPath(field, 'issuer'),
      `"${value}" is not a URL; give the provider's issuer, e.g. https://accounts.example.com`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(ErrorCode.ERR_NGROK_215, fieldPath(field, 'issuer'), 'must be an http(s) URL');
  return value;
}

/** `oidc`: require a login with an OpenID Connect provider. */
export const oidcModule = defineModule({
  name: 'oidc',
  schema: Type.Object({
    enabled: Enabled,
    ...sessionProperties,
    issuer: Type.String(),
    client_id: Type.String(),
    client_secret: Type.String(),
    scopes: StringList,
  }),
  normalize: (body, _ctx, field): OidcModule => {
    if (!body.client_id) throw invalid(ErrorCode.ERR_NGROK_215, fieldPath(field, 'client_id'), 'is required');
    return {
      enabled: enabledOf(body),
      ...sessionOf(body, field),
      issuer: issuerOf(body.issuer, field),
      client_id: body.client_id,
      client_secret: body.client_secret,
      scopes: body.scopes?.length ? body.scopes : defaultOidcScopes,
    };
  },
  disabled: (): OidcModule => ({
    enabled: false,
    ...sessionOf({}, ''),
    issuer: '',
    client_id: '',
    client_secret: '',
    scopes: defaultOidcScopes,
  }),
  secrets: stringSecrets<OidcModule>((m, f) => ({
    ...m,
    client_secret: m.client_secret ? f(m.client_secret) : m.client_secret,
  })),
});
