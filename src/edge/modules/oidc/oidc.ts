import { createHash } from 'node:crypto';
import type { OidcPlan } from '../../../config/modules/plans.ts';
import type { ModuleDeps } from '../../pipeline/build.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { identityModule } from '../identity/identity-module.ts';
import { OidcLoginFlow } from './oidc-flow.ts';

/**
 * `oidc`: only users an OpenID provider logged in reach the service, through the shared login
 * workflow (identity/identity-module.ts). A client secret that cannot be opened is logged and
 * the login then fails at the token endpoint, so nobody passes.
 */
export function oidcModule(plan: OidcPlan, deps: ModuleDeps): HttpModule {
  const secret = clientSecretOf(plan, deps);
  const settings = { provider: 'oidc', issuer: plan.issuer, clientId: plan.clientId, scopes: plan.scopes };
  const flow = new OidcLoginFlow(settings, secret, deps.identity.allowHttpIssuers, deps.logger);
  return identityModule({
    name: 'oidc',
    session: plan.session,
    constraints: plan.constraints,
    flow,
    configDigest: configDigest(plan, secret),
    cookieKey: deps.identity.cookieKey,
    callbackOrigin: deps.identity.callbackOrigin,
    decisions: deps.decisions,
    logger: deps.logger,
  });
}

function clientSecretOf(plan: OidcPlan, deps: ModuleDeps): string {
  try {
    // A route's secret is sealed at rest; an agent's came in its bind and lives only in memory.
    if (plan.agentSecret) return plan.agentSecret.reveal();
    return plan.sealedSecret ? deps.openSecret(plan.accountId, plan.sealedSecret) : '';
  } catch (err) {
    deps.logger.warn('OIDC client secret unusable; logins on this route fail', { issuer: plan.issuer, err });
    return '';
  }
}

/** Digest of the whole configuration: issuer, client, scopes, session settings, constraints, the secret. */
function configDigest(plan: OidcPlan, secret: string): string {
  const { sealedSecret: _sealed, agentSecret: _agent, ...settings } = plan;
  return createHash('sha256').update(JSON.stringify(settings)).update('\0').update(secret).digest('base64url');
}
