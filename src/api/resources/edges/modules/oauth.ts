import { Type, type Static } from 'typebox';
import { minCheckIntervalS } from '../../../../config/modules/oauth.ts';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { invalid } from '../../../errors.ts';
import { sessionOf, sessionProperties, type SessionSettings } from './auth-session.ts';
import {
  defineModule,
  Enabled,
  enabledOf,
  fieldPath,
  OptionalCount,
  OptionalString,
  StringList,
  stringSecrets,
  type StoredModule,
} from './module-spec.ts';

/** Identity providers, in the order the read shape lists their slots. */
export const oauthProviders = [
  'github',
  'facebook',
  'microsoft',
  'google',
  'linkedin',
  'gitlab',
  'twitch',
  'amazon',
] as const;
type ProviderName = (typeof oauthProviders)[number];

/** One provider's settings; `teams` and `organizations` only for github. */
export interface OAuthProviderSettings {
  /** Your OAuth app's client id, or null for a managed app; with client_secret or not at all. */
  client_id: string | null;
  /** Sealed at rest; returned on read. */
  client_secret: string | null;
  scopes: string[];
  email_addresses: string[];
  email_domains: string[];
  teams?: string[];
  organizations?: string[];
}

interface OAuthModule extends StoredModule, SessionSettings {
  /** Exactly one provider slot is set. */
  provider: Partial<Record<ProviderName, OAuthProviderSettings>>;
  /** Seconds between re-checks of the user with the provider, at least 180; 0 = the default, 180. */
  auth_check_interval: number;
}

const ProviderSchema = Type.Object({
  client_id: OptionalString,
  client_secret: OptionalString,
  scopes: StringList,
  email_addresses: StringList,
  email_domains: StringList,
  teams: StringList,
  organizations: StringList,
});
type ProviderBody = Static<typeof ProviderSchema>;

const Schema = Type.Object({
  enabled: Enabled,
  provider: Type.Record(Type.String(), Type.Union([ProviderSchema, Type.Null()])),
  ...sessionProperties,
  auth_check_interval: OptionalCount,
});

/** `auth_check_interval`: 0 (the default) or at least 180 seconds; refused between, never raised silently. */
function checkIntervalOf(value: number | null | undefined, field: string): number {
  const seconds = value ?? 0;
  if (seconds > 0 && seconds < minCheckIntervalS)
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      fieldPath(field, 'auth_check_interval'),
      `${seconds} is below the minimum of ${minCheckIntervalS} seconds; use ${minCheckIntervalS} or more, or 0 for the default (${minCheckIntervalS})`,
    );
  return seconds;
}

/** Refuses GitHub's `organizations` and `teams` on another provider: nothing there could check them. */
function refuseGithubOnly(name: ProviderName, body: ProviderBody, field: string): void {
  if (name === 'github') return;
  for (const key of ['organizations', 'teams'] as const) {
    if (body[key]?.length)
      throw invalid(
        ErrorCode.ERR_NGROK_215,
        `${field}.${key}`,
        `only the github provider has ${key}; ${name} cannot check them. Use email_addresses or email_domains`,
      );
  }
}

function providerSettings(name: ProviderName, body: ProviderBody, field: string): OAuthProviderSettings {
  refuseGithubOnly(name, body, field);
  const hasId = Boolean(body.client_id);
  if (hasId !== Boolean(body.client_secret))
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      field,
      'give client_id and client_secret together (your own OAuth app), or neither',
    );
  const settings: OAuthProviderSettings = {
    client_id: body.client_id || null,
    client_secret: body.client_secret || null,
    scopes: body.scopes ?? [],
    email_addresses: body.email_addresses ?? [],
    email_domains: (body.email_domains ?? []).map((d) => d.toLowerCase()),
  };
  return name === 'github'
    ? { ...settings, teams: body.teams ?? [], organizations: body.organizations ?? [] }
    : settings;
}

/** `oauth`: require a login with an OAuth identity provider. */
export const oauthModule = defineModule({
  name: 'oauth',
  schema: Schema,
  normalize: (body, _ctx, field): OAuthModule => {
    const at = fieldPath(field, 'provider');
    const given = Object.entries(body.provider).filter(([, v]) => v !== null && v !== undefined);
    if (given.length !== 1)
      throw invalid(ErrorCode.ERR_NGROK_215, at, `set exactly one of ${oauthProviders.join(', ')}`);
    const [name, settings] = given[0]!;
    if (!(oauthProviders as readonly string[]).includes(name))
      throw invalid(
        ErrorCode.ERR_NGROK_215,
        at,
        `"${name}" is not a supported provider; use one of ${oauthProviders.join(', ')}`,
      );
    const provider = { [name]: providerSettings(name as ProviderName, settings!, `${at}.${name}`) };
    return {
      enabled: enabledOf(body),
      provider,
      ...sessionOf(body, field),
      auth_check_interval: checkIntervalOf(body.auth_check_interval, field),
    };
  },
  disabled: (): OAuthModule => ({ enabled: false, provider: {}, ...sessionOf({}, ''), auth_check_interval: 0 }),
  secrets: stringSecrets<OAuthModule>((m, f) => ({
    ...m,
    provider: Object.fromEntries(
      Object.entries(m.provider).map(([name, p]) => [
        name,
        p?.client_secret ? { ...p, client_secret: f(p.client_secret) } : p,
      ]),
    ),
  })),
  // Every provider slot is present on read; the unused ones are null.
  read: (stored: OAuthModule) => ({
    ...stored,
    provider: Object.fromEntries(oauthProviders.map((p) => [p, stored.provider[p] ?? null])),
  }),
});
