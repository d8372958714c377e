import { createHash } from 'node:crypto';
import type { OAuthPlan, OAuthProvider } from '../../../config/modules/plans.ts';
import type { ModuleDeps } from '../../pipeline/build.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { identityModule } from '../identity/identity-module.ts';
import type { LoginFlow } from '../identity/login-flow.ts';
import { OidcLoginFlow } from '../oidc/oidc-flow.ts';
import { FacebookLoginFlow } from './facebook-flow.ts';
import { GithubLoginFlow } from './github-flow.ts';

/**
 * `oauth`: only users Google, GitHub, Microsoft or Facebook logged in reach the service, through
 * the shared login workflow (identity/identity-module.ts) with a refresh every `checkIntervalS`.
 * The provider's endpoints come from the edge's table (ModuleDeps.identity.oauthProviders). A
 * client secret that cannot be opened is logged and logins then fail at the token endpoint.
 */
export function oauthModule(plan: OAuthPlan, deps: ModuleDeps): HttpModule {
  const secret = clientSecretOf(plan, deps);
  return identityModule({
    name: 'oauth',
    session: plan.session,
    constraints: plan.constraints,
    flow: flows[plan.provider](plan, secret, deps),
    checkIntervalS: plan.checkIntervalS,
    configDigest: configDigest(plan, secret),
    cookieKey: deps.identity.cookieKey,
    callbackOrigin: deps.identity.callbackOrigin,
    decisions: deps.decisions,
    logger: deps.logger,
  });
}

type FlowFactory = (plan: OAuthPlan, secret: string, deps: ModuleDeps) => LoginFlow;

/** How each provider logs users in: Google and Microsoft are OpenID providers; GitHub and Facebook plain OAuth 2.0. */
const flows: Record<OAuthProvider, FlowFactory> = {
  github: (plan, secret, deps) => new GithubLoginFlow(plan, secret, deps.identity.oauthProviders.github),
  facebook: (plan, secret, deps) => new FacebookLoginFlow(plan, secret, deps.identity.oauthProviders.facebook),
  google: (plan, secret, deps) => openId(plan, secret, deps),
  // Microsoft's `sub` differs per application; `oid` is the user's id in the tenant (Graph's `id`).
  microsoft: (plan, secret, deps) => openId(plan, secret, deps, 'oid'),
};

function openId(plan: OAuthPlan, secret: string, deps: ModuleDeps, idClaim?: string): LoginFlow {
  const issuer = deps.identity.oauthProviders[plan.provider].issuer!;
  const settings = {
    provider: plan.provider,
    issuer,
    clientId: plan.clientId,
    scopes: plan.scopes,
    keepAccessToken: true,
    ...(idClaim ? { idClaim } : {}),
  };
  return new OidcLoginFlow(settings, secret, deps.identity.allowHttpIssuers, deps.logger);
}

function clientSecretOf(plan: OAuthPlan, deps: ModuleDeps): string {
  try {
    // A route's secret is sealed at rest; an agent's came in its bind and lives only in memory.
    if (plan.agentSecret) return plan.agentSecret.reveal();
    return deps.openSecret(plan.accountId, plan.sealedSecret);
  } catch (err) {
    deps.logger.warn('OAuth client secret unusable; logins on this route fail', { provider: plan.provider, err });
    return '';
  }
}

/** Digest of the whole configuration: provider, client, scopes, session, constraints, interval, the secret. */
function configDigest(plan: OAuthPlan, secret: string): string {
  const { sealedSecret: _sealed, agentSecret: _agent, ...settings } = plan;
  return createHash('sha256').update(JSON.stringify(settings)).update('\0').update(secret).digest('base64url');
}
