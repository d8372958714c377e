/**
 * `oauth`: a login with Google, GitHub, Microsoft or Facebook, from a route's stored module or an
 * agent's `OAuth` bind option, compiled to one plan. Only the operator's own application is
 * possible here: ngrok's managed applications do not exist on a self-hosted edge, so a module
 * without client id and secret is refused. Nothing here contacts the provider.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import { Secret } from '../../store/secret.ts';
import { ConfigProblem } from '../compile/problem.ts';
import { compileSession } from './oidc.ts';
import { oauthProvidersEnforced, type IdentityConstraints, type OAuthPlan, type OAuthProvider } from './plans.ts';

/** Seconds between re-checks of a user with the provider: the default, and the least allowed (lower is raised to it). */
export const minCheckIntervalS = 180;

const managed =
  "and client_secret are required: a self-hosted edge has no ngrok managed application, so register the operator's own OAuth application with the provider";

/** Scopes always asked for, so the edge can read who logged in (and, for GitHub, memberships). */
const defaultScopes: Record<OAuthProvider, string[]> = {
  github: ['read:user', 'user:email'],
  google: ['openid', 'profile', 'email'],
  microsoft: ['openid', 'profile', 'email'],
  facebook: ['public_profile', 'email'],
};

/** One provider's stored settings (`provider.<name>`); `client_secret` is sealed for the owning account. */
export interface OAuthProviderSlot {
  client_id?: string | null;
  client_secret?: string | null;
  scopes?: string[] | null;
  email_addresses?: string[] | null;
  email_domains?: string[] | null;
  teams?: string[] | null;
  organizations?: string[] | null;
}

/** An `oauth` module as stored. */
export interface OAuthSlot {
  enabled?: boolean;
  provider?: Record<string, OAuthProviderSlot | null>;
  options_passthrough?: boolean | null;
  cookie_prefix?: string | null;
  inactivity_timeout?: number | null;
  maximum_duration?: number | null;
  auth_check_interval?: number | null;
}

/** The provider of `slot`, refused unless this edge logs in with it. */
function providerOf(slot: OAuthSlot, field: string): [OAuthProvider, OAuthProviderSlot] {
  const given = Object.entries(slot.provider ?? {}).filter(([, v]) => v);
  if (given.length !== 1) throw new ConfigProblem(field, ErrorCode.ERR_NGROK_215, 'set exactly one provider');
  const [name, settings] = given[0]!;
  if (!isEnforced(name))
    throw new ConfigProblem(
      `${field}.${name}`,
      ErrorCode.ERR_MODULE_NOT_ENFORCED,
      `OAuth with ${name} is not enforced by this edge; use one of ${oauthProvidersEnforced.join(', ')}`,
    );
  return [name, settings!];
}

function isEnforced(name: string): name is OAuthProvider {
  return (oauthProvidersEnforced as readonly string[]).includes(name);
}

/** The scopes to ask for: the provider's defaults, GitHub's `read:org` when memberships are checked, then the module's. */
function scopesOf(provider: OAuthProvider, given: string[], needsOrgs: boolean): string[] {
  const scopes = [...defaultScopes[provider], ...(needsOrgs ? ['read:org'] : []), ...given];
  return [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
}

const lower = (list: string[] | null | undefined) => (list ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean);

function constraintsOf(emails: string[], domains: string[], orgs: string[], teams: string[]): IdentityConstraints {
  return {
    allowEmails: lower(emails),
    allowDomains: lower(domains).map((d) => d.replace(/^@/, '')),
    allowGroups: [...orgs, ...teams],
  };
}

/** A route's stored `oauth` module as a plan. */
export function compileOAuth(slot: OAuthSlot, field: string, accountId: string): OAuthPlan {
  const [provider, p] = providerOf(slot, `${field}.provider`);
  if (!p.client_id || !p.client_secret)
    throw new ConfigProblem(
      `${field}.provider.${provider}.client_id`,
      ErrorCode.ERR_OAUTH_MANAGED_APP_UNSUPPORTED,
      managed,
    );
  const organizations = provider === 'github' ? lower(p.organizations).map((o) => o.replace(/^@/, '')) : [];
  const teams = provider === 'github' ? lower(p.teams).map((o) => o.replace(/^@/, '')) : [];
  return {
    name: 'oauth',
    provider,
    clientId: p.client_id,
    scopes: scopesOf(provider, p.scopes ?? [], organizations.length + teams.length > 0),
    session: compileSession(slot),
    constraints: constraintsOf(p.email_addresses ?? [], p.email_domains ?? [], organizations, teams),
    organizations,
    teams,
    checkIntervalS: Math.max(slot.auth_check_interval || minCheckIntervalS, minCheckIntervalS),
    sealedSecret: p.client_secret,
    accountId,
  };
}

/** An agent's `OAuth` bind option (wire keys `provider`, `client_id`, `client_secret`, `allow_emails`, …). */
export interface AgentOAuthOption {
  provider: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  allowEmails: string[];
  allowDomains: string[];
}

/** An agent's OAuth option as a plan; its client secret stays in memory with the endpoint. */
export function compileAgentOAuth(o: AgentOAuthOption): OAuthPlan {
  const provider = o.provider.trim().toLowerCase();
  if (!isEnforced(provider))
    throw new ConfigProblem(
      'OAuth.provider',
      ErrorCode.ERR_MODULE_NOT_ENFORCED,
      `OAuth with "${o.provider}" is not enforced by this edge; use one of ${oauthProvidersEnforced.join(', ')}`,
    );
  if (!o.clientId || !o.clientSecret)
    throw new ConfigProblem('OAuth.client_id', ErrorCode.ERR_OAUTH_MANAGED_APP_UNSUPPORTED, managed);
  return {
    name: 'oauth',
    provider,
    clientId: o.clientId,
    scopes: scopesOf(provider, o.scopes, false),
    session: compileSession({}),
    constraints: constraintsOf(o.allowEmails, o.allowDomains, [], []),
    organizations: [],
    teams: [],
    checkIntervalS: minCheckIntervalS,
    agentSecret: new Secret(o.clientSecret),
  };
}
