/**
 * Module plans become module chains, once per snapshot. A chain whose plans did not change
 * since the previous snapshot is kept as it was, so state that lives in a module (a circuit
 * breaker's window) survives unrelated configuration changes.
 */
import type { HttpModuleName, HttpModulePlan } from '../../config/modules/plans.ts';
import type { Logger } from '../../log/logger.ts';
import { circuitBreakerModule } from '../modules/circuit_breaker/circuit-breaker.ts';
import { compressionModule } from '../modules/compression/compression.ts';
import { basicAuthModule } from '../modules/basic_auth/basic-auth.ts';
import type { CallbackOrigin } from '../modules/identity/callback-origin.ts';
import { oauthModule } from '../modules/oauth/oauth.ts';
import type { OAuthProviderTable } from '../modules/oauth/providers.ts';
import { oidcModule } from '../modules/oidc/oidc.ts';
import { samlModule } from '../modules/saml/saml.ts';
import type { SeenAssertions } from '../modules/saml/seen-assertions.ts';
import { ipRestrictionModule } from '../modules/ip_restriction/ip-restriction.ts';
import { requestHeadersModule } from '../modules/request_headers/request-headers.ts';
import { responseHeadersModule } from '../modules/response_headers/response-headers.ts';
import { userAgentFilterModule } from '../modules/user_agent_filter/user-agent-filter.ts';
import { websocketTcpConverterModule } from '../modules/websocket_tcp_converter/websocket-tcp-converter.ts';
import type { SnsCertificates } from '../modules/webhook_verification/sns-certificates.ts';
import { webhookVerificationModule } from '../modules/webhook_verification/webhook-verification.ts';
import type { ModuleDecisions } from './decisions.ts';
import type { HttpModule } from './http-module.ts';

/** What modules are built with, besides their plan; the same for every snapshot. */
export interface ModuleDeps {
  /** The plaintext of a secret sealed for `accountId` (config/secrets/key-encryption.ts); throws when it cannot be opened. */
  openSecret(accountId: string, sealed: string): string;
  webhooks: {
    /** Bytes of a body read to check its signature; past it 413. */
    maxBodyBytes: number;
    /** AWS SNS signing certificates, kept across snapshots. */
    snsCertificates: SnsCertificates;
  };
  identity: {
    /** The edge's key for identity cookies; each module derives its own from it (identity/sealed-cookie.ts). */
    cookieKey: Buffer;
    /** Whether an OpenID issuer may be plain http (tests); production requires https. */
    allowHttpIssuers: boolean;
    /** SAML assertion ids already used, kept across snapshots (replays are refused). */
    samlAssertions: SeenAssertions;
    /** Where each OAuth provider lives (defaults, with the edge configuration's overrides). */
    oauthProviders: OAuthProviderTable;
    /** The common callback origin OAuth and OIDC logins return through, when the edge has one. */
    callbackOrigin?: CallbackOrigin;
  };
  /** Counts what modules decide (denials, circuit changes, logins) for the edge's metrics. */
  decisions: ModuleDecisions;
  logger: Logger;
}

type Factory<N extends HttpModuleName> = (plan: Extract<HttpModulePlan, { name: N }>, deps: ModuleDeps) => HttpModule;

/** How each module is built from its plan. The configuration refuses any module missing here. */
const factories: { [N in HttpModuleName]?: Factory<N> } = {
  ip_restriction: ipRestrictionModule,
  webhook_verification: webhookVerificationModule,
  user_agent_filter: userAgentFilterModule,
  circuit_breaker: circuitBreakerModule,
  basic_auth: basicAuthModule,
  oauth: oauthModule,
  oidc: oidcModule,
  saml: samlModule,
  request_headers: requestHeadersModule,
  compression: compressionModule,
  response_headers: responseHeadersModule,
  websocket_tcp_converter: websocketTcpConverterModule,
};

/** Whether this edge builds (so runs) the module `name`; agent binds asking for another are refused. */
export function isBuilt(name: HttpModuleName): boolean {
  return factories[name] !== undefined;
}

/** Builds a chain from plans once, for an owner outside snapshots (an agent endpoint, at bind). */
export function buildChain(plans: readonly HttpModulePlan[], deps: ModuleDeps): readonly HttpModule[] {
  return plans.map((plan) => build(plan, deps));
}

function build(plan: HttpModulePlan, deps: ModuleDeps): HttpModule {
  const factory = factories[plan.name] as Factory<typeof plan.name> | undefined;
  if (!factory) throw new Error(`no module is built for ${plan.name}`);
  return factory(plan as never, deps);
}

/** A chain with the plans it was built from. */
interface Chain {
  key: string;
  modules: readonly HttpModule[];
}

/** The module chains of one snapshot, by owner (route or endpoint id). */
export class ModuleChains {
  private readonly chains = new Map<string, Chain>();

  constructor(private readonly previous?: ModuleChains) {}

  /** The chain for `ownerId`: the previous snapshot's if its plans are the same, else new. */
  chainFor(ownerId: string, plans: readonly HttpModulePlan[], deps: ModuleDeps): readonly HttpModule[] {
    if (plans.length === 0) return [];
    const key = JSON.stringify(plans);
    const kept = this.previous?.chains.get(ownerId);
    const chain = kept?.key === key ? kept : { key, modules: plans.map((plan) => build(plan, deps)) };
    this.chains.set(ownerId, chain);
    return chain.modules;
  }
}
