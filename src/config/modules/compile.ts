/**
 * The modules of a route (or of a TLS or TCP edge) compiled from their stored slots into plans
 * in the fixed order. A module the edge does not enforce yet may be stored switched off, but
 * never on: the API refuses it (through the configuration gate) rather than store a setting
 * that does nothing.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import { ConfigProblem } from '../compile/problem.ts';
import { compileCircuitBreaker, type CircuitBreakerSlot } from './circuit-breaker.ts';
import { compileHeaders, type HeadersSlot } from './headers.ts';
import { compileIpRestriction, type IpPolicyRules, type IpRestrictionSlot } from './ip-restriction.ts';
import { compileOAuth, type OAuthSlot } from './oauth.ts';
import { compileOidc, type OidcSlot } from './oidc.ts';
import { compileSaml, type SamlSlot } from './saml.ts';
import { inModuleOrder, type HttpModulePlan, type IpRestrictionPlan } from './plans.ts';
import { compileUserAgentFilter, type UserAgentFilterSlot } from './user-agent-filter.ts';
import { compileWebhookVerification, type WebhookVerificationSlot } from './webhook-verification.ts';

/** Module slots of a route, as stored; unset slots are null or absent. */
export interface RouteModuleSlots {
  ip_restriction?: IpRestrictionSlot | null;
  circuit_breaker?: CircuitBreakerSlot | null;
  compression?: Slot | null;
  request_headers?: HeadersSlot | null;
  response_headers?: HeadersSlot | null;
  webhook_verification?: WebhookVerificationSlot | null;
  user_agent_filter?: UserAgentFilterSlot | null;
  websocket_tcp_converter?: Slot | null;
  oauth?: OAuthSlot | null;
  saml?: SamlSlot | null;
  oidc?: OidcSlot | null;
  policy?: Slot | null;
}

interface Slot {
  enabled?: boolean;
}

/** What module references resolve against, within the owning account. */
export interface ModuleContext {
  accountId: string;
  ipPolicyRules: IpPolicyRules;
  /** The route being compiled and its edge's hostports (the SAML service-provider URLs). */
  route?: { id: string; hostports: readonly string[] };
}

/** Modules stored but not enforced yet, with the issue that brings each. */
const notEnforced: Record<string, string> = {
  policy: 'Traffic Policy',
};

function isOn<S extends Slot>(slot: S | null | undefined): slot is S {
  return !!slot && slot.enabled !== false;
}

/** Refuses an enabled module this edge does not run. */
export function refuseNotEnforced(slots: Record<string, unknown>, field: string): void {
  for (const [name, feature] of Object.entries(notEnforced)) {
    if (isOn(slots[name] as Slot | null | undefined)) {
      throw new ConfigProblem(
        `${field}${name}`,
        ErrorCode.ERR_MODULE_NOT_ENFORCED,
        `${feature} is not enforced by this edge yet; set "enabled": false or remove the module`,
      );
    }
  }
}

/** The plans of a route's enabled modules, in the fixed order. `field` is the route's path with a dot ("routes[0].") or "". */
export function compileRouteModules(slots: RouteModuleSlots, field: string, ctx: ModuleContext): HttpModulePlan[] {
  refuseNotEnforced(slots as Record<string, unknown>, field);
  const plans: HttpModulePlan[] = [];
  if (isOn(slots.ip_restriction))
    plans.push(compileIpRestriction(slots.ip_restriction, `${field}ip_restriction`, ctx.accountId, ctx.ipPolicyRules));
  if (isOn(slots.oauth)) plans.push(compileOAuth(slots.oauth, `${field}oauth`, ctx.accountId));
  if (isOn(slots.oidc)) plans.push(compileOidc(slots.oidc, `${field}oidc`, ctx.accountId));
  if (isOn(slots.saml))
    plans.push(compileSaml(slots.saml, `${field}saml`, ctx.accountId, ctx.route ?? { id: '', hostports: [] }));
  if (isOn(slots.webhook_verification))
    plans.push(compileWebhookVerification(slots.webhook_verification, `${field}webhook_verification`, ctx.accountId));
  if (isOn(slots.circuit_breaker)) plans.push(compileCircuitBreaker(slots.circuit_breaker));
  if (isOn(slots.compression)) plans.push({ name: 'compression' });
  if (isOn(slots.request_headers))
    plans.push(compileHeaders('request_headers', slots.request_headers, `${field}request_headers`));
  if (isOn(slots.response_headers))
    plans.push(compileHeaders('response_headers', slots.response_headers, `${field}response_headers`));
  if (isOn(slots.user_agent_filter))
    plans.push(compileUserAgentFilter(slots.user_agent_filter, `${field}user_agent_filter`));
  if (isOn(slots.websocket_tcp_converter)) plans.push({ name: 'websocket_tcp_converter' });
  return inModuleOrder(plans);
}

/** The connection modules of a TLS or TCP edge: its IP restriction, if on. */
export function compileConnModules(
  slots: { ip_restriction?: IpRestrictionSlot | null; policy?: Slot | null },
  ctx: ModuleContext,
): IpRestrictionPlan | undefined {
  refuseNotEnforced(slots as Record<string, unknown>, '');
  return isOn(slots.ip_restriction)
    ? compileIpRestriction(slots.ip_restriction, 'ip_restriction', ctx.accountId, ctx.ipPolicyRules)
    : undefined;
}
