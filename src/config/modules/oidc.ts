/**
 * `oidc`: a login with any OpenID provider, from a route's stored module or an agent's `OIDC`
 * bind option, compiled to one plan. Nothing here contacts the issuer: discovery happens in the
 * data plane on the first request, so an API write only compiles.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import { Secret } from '../../store/secret.ts';
import { ConfigProblem } from '../compile/problem.ts';
import type { IdentitySessionPlan, OidcPlan } from './plans.ts';

/** Scopes asked for when none are given. */
export const defaultOidcScopes = ['openid', 'profile', 'email'];

/** Session defaults: a login lasts 24 hours; no inactivity limit unless one is set. */
export const sessionDefaults = { inactivityTimeoutS: 0, maximumDurationS: 24 * 3600, cookiePrefix: 'ngrok.' };

/** An `oidc` module as stored; `client_secret` is sealed for the owning account. */
export interface OidcSlot {
  enabled?: boolean;
  issuer?: string;
  client_id?: string;
  client_secret?: string;
  scopes?: string[] | null;
  options_passthrough?: boolean | null;
  cookie_prefix?: string | null;
  inactivity_timeout?: number | null;
  maximum_duration?: number | null;
}

/** The session settings shared by identity modules (0 or absent takes the default). */
export function compileSession(slot: {
  options_passthrough?: boolean | null;
  cookie_prefix?: string | null;
  inactivity_timeout?: number | null;
  maximum_duration?: number | null;
}): IdentitySessionPlan {
  return {
    cookiePrefix: slot.cookie_prefix || sessionDefaults.cookiePrefix,
    inactivityTimeoutS: slot.inactivity_timeout || sessionDefaults.inactivityTimeoutS,
    maximumDurationS: slot.maximum_duration || sessionDefaults.maximumDurationS,
    optionsPassthrough: slot.options_passthrough ?? false,
  };
}

function issuerOf(value: string | undefined, field: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value ?? '');
  } catch {
    // Refused below.
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new ConfigProblem(field, ErrorCode.ERR_OIDC_CONFIG_INVALID, `"${value ?? ''}" is not an http(s) URL`);
  return value!;
}

/** A route's stored `oidc` module as a plan. */
export function compileOidc(slot: OidcSlot, field: string, accountId: string): OidcPlan {
  if (!slot.client_id) throw new ConfigProblem(`${field}.client_id`, ErrorCode.ERR_OIDC_CONFIG_INVALID, 'is required');
  return {
    name: 'oidc',
    issuer: issuerOf(slot.issuer, `${field}.issuer`),
    clientId: slot.client_id,
    scopes: slot.scopes?.length ? slot.scopes : defaultOidcScopes,
    session: compileSession(slot),
    // ngrok's stored OIDC module has no email constraints: the provider decides who logs in.
    constraints: { allowEmails: [], allowDomains: [] },
    sealedSecret: slot.client_secret ?? '',
    accountId,
  };
}

/** An agent's `OIDC` bind option (wire keys `issuer_url`, `client_id`, …). */
export interface AgentOidcOption {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  allowEmails: string[];
  allowDomains: string[];
}

/** An agent's OIDC option as a plan; its client secret stays in memory with the endpoint. */
export function compileAgentOidc(o: AgentOidcOption): OidcPlan {
  if (!o.clientId) throw new ConfigProblem('OIDC.client_id', ErrorCode.ERR_AGENT_OPTION_INVALID, 'is required');
  const domains = o.allowDomains.map((d) => d.trim().toLowerCase().replace(/^@/, ''));
  return {
    name: 'oidc',
    issuer: issuerOf(o.issuerUrl, 'OIDC.issuer_url'),
    clientId: o.clientId,
    scopes: o.scopes.length ? o.scopes : defaultOidcScopes,
    session: compileSession({}),
    constraints: { allowEmails: o.allowEmails.map((e) => e.trim().toLowerCase()), allowDomains: domains },
    agentSecret: new Secret(o.clientSecret),
  };
}
