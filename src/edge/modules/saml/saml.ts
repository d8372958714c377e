import { createHash } from 'node:crypto';
import type { SamlPlan } from '../../../config/modules/plans.ts';
import type { ModuleDeps } from '../../pipeline/build.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { identityModule } from '../identity/identity-module.ts';
import { SamlLoginFlow } from './saml-flow.ts';

/**
 * `saml`: only users a SAML IdP logged in (and, with `authorized_groups`, in one of them) reach
 * the service, through the shared login workflow (identity/identity-module.ts) at the route's
 * SP paths `/saml/<route id>/{acs,slo,metadata}`. A request-signing key that cannot be opened is
 * logged and AuthnRequests then go unsigned (an IdP that requires signed requests refuses them).
 */
export function samlModule(plan: SamlPlan, deps: ModuleDeps): HttpModule {
  const key = signingKeyOf(plan, deps);
  const flow = new SamlLoginFlow(plan, key, deps.identity.samlAssertions);
  return identityModule({
    name: 'saml',
    session: plan.session,
    constraints: plan.constraints,
    flow,
    configDigest: configDigest(plan),
    cookieKey: deps.identity.cookieKey,
    decisions: deps.decisions,
    logger: deps.logger,
  });
}

function signingKeyOf(plan: SamlPlan, deps: ModuleDeps): string {
  try {
    if (plan.agentSecret) return plan.agentSecret.reveal();
    return plan.sealedSecret ? deps.openSecret(plan.accountId, plan.sealedSecret) : '';
  } catch (err) {
    deps.logger.warn('SAML request-signing key unusable; AuthnRequests go unsigned', { route: plan.ownerId, err });
    return '';
  }
}

/** Digest of the whole configuration: a change of IdP, groups or session settings ends every session. */
function configDigest(plan: SamlPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('base64url');
}
