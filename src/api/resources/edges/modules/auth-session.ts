/** The session settings oauth, oidc and saml share. */
import { Type } from 'typebox';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { invalid } from '../../../errors.ts';
import { fieldPath, OptionalCount } from './module-spec.ts';

/** Prefix of the cookies the edge sets for a login session, unless one is given. */
export const defaultCookiePrefix = 'ngrok.';

/** Schema properties of the shared session settings. */
export const sessionProperties = {
  options_passthrough: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  cookie_prefix: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  inactivity_timeout: OptionalCount,
  maximum_duration: OptionalCount,
};

export interface SessionSettings {
  /** Let OPTIONS requests through unauthenticated (CORS preflights). Default false. */
  options_passthrough: boolean;
  /** Prefix of the session cookies. Default "ngrok.". */
  cookie_prefix: string;
  /** Seconds without a request before the session ends; 0 = the edge's default. */
  inactivity_timeout: number;
  /** Seconds a session lasts at most; 0 = the edge's default. */
  maximum_duration: number;
}

interface SessionBody {
  options_passthrough?: boolean | null;
  cookie_prefix?: string | null;
  inactivity_timeout?: number | null;
  maximum_duration?: number | null;
}

/** Cookie names may hold only token characters. */
const COOKIE_PREFIX = /^[!#$%&'*+\-.^_`|~0-9a-z]*$/i;

/** The shared settings with defaults filled in. */
export function sessionOf(body: SessionBody, field: string): SessionSettings {
  const prefix = body.cookie_prefix || defaultCookiePrefix;
  if (!COOKIE_PREFIX.test(prefix))
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      fieldPath(field, 'cookie_prefix'),
      `"${prefix}" may contain only letters, digits and !#$%&'*+-.^_\`|~`,
    );
  return {
    options_passthrough: body.options_passthrough ?? false,
    cookie_prefix: prefix,
    inactivity_timeout: body.inactivity_timeout ?? 0,
    maximum_duration: body.maximum_duration ?? 0,
  };
}
