/**
 * SAML as a LoginFlow, with `@node-saml/node-saml` as the service provider: SP-initiated login
 * with an AuthnRequest on the HTTP-Redirect binding (signed with the route's request-signing
 * key), the IdP's answer on the HTTP-POST binding at the ACS. The library checks the signature
 * (of the Response or of the Assertion) against the certificates of the IdP's metadata, the
 * issuer, the audience (the SP entity id), the time conditions and InResponseTo against the
 * AuthnRequest id this browser's login remembered. Then this flow refuses a replayed assertion,
 * an unsolicited (IdP-initiated) one unless allowed, and a user in none of `authorized_groups`.
 * At the SLO URL it answers the IdP's signed LogoutRequest (single logout) with a LogoutResponse,
 * Success only for the user of the browser's session; a visit there
 * without a message starts single logout at the IdP for the session's user.
 */
import type { CacheProvider, Profile, SAML, SamlConfig } from '@node-saml/node-saml';
import { randomBytes } from 'node:crypto';
import type { SamlPlan } from '../../../config/modules/plans.ts';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import { onFirstUse } from '../../../packages/on-first-use.ts';
import type { Identity, LoginFlow, LoginStart, ProviderEndpoints, Remembered } from '../identity/login-flow.ts';
import { identityOf, groupsOf } from './attributes.ts';
import { checkLogoutResponse } from './logout-response.ts';
import type { SeenAssertions } from './seen-assertions.ts';

/** node-saml and its XML stack, loaded by the first SAML request rather than at start (issue 13). */
const nodeSaml = onFirstUse(() => import('@node-saml/node-saml'), 'SAML');

/** Clock difference tolerated between the edge and the IdP, in milliseconds. 60 s. */
const clockSkewMs = 60_000;

export class SamlLoginFlow implements LoginFlow {
  readonly provider = 'saml';
  /** The IdP's entity id: a session of one IdP never opens under another. */
  readonly clientId: string;
  readonly endpoints: ProviderEndpoints;
  private readonly entityId: string;

  constructor(
    private readonly plan: SamlPlan,
    /** The request-signing private key (PEM); "" sends unsigned AuthnRequests. */
    private readonly signingKeyPem: string,
    private readonly seen: SeenAssertions,
  ) {
    this.clientId = plan.idp.entityId;
    this.entityId = plan.entityId || `urn:portico:saml:${plan.ownerId}`;
    const base = `/saml/${plan.ownerId}`;
    let metadata: Promise<string> | undefined;
    const document = { contentType: 'application/samlmetadata+xml', body: () => (metadata ??= this.metadata()) };
    this.endpoints = {
      callbackPath: `${base}/acs`,
      stateField: 'RelayState',
      logoutPath: `${base}/slo`,
      documents: new Map([[`${base}/metadata`, document]]),
    };
  }

  async begin(state: string, acsUrl: string, forceLogin: boolean): Promise<LoginStart> {
    const requestId = `_${randomBytes(20).toString('hex')}`;
    const saml = await this.saml(acsUrl, {
      generateUniqueId: () => requestId,
      forceAuthn: this.plan.forceAuthn || forceLogin,
    });
    return { url: await saml.getAuthorizeUrlAsync(state, undefined, {}), remember: { requestId } };
  }

  async complete(callback: URL, acsUrl: string, _state: string, remembered: Remembered): Promise<Identity> {
    const SAMLResponse = callback.searchParams.get('SAMLResponse');
    if (!SAMLResponse) throw new PorticoError(ErrorCode.ERR_EDGE_SAML_RESPONSE_INVALID, 'no SAMLResponse');
    const { requestId } = remembered;
    const profile = await this.validate(acsUrl, SAMLResponse, requestId);
    if (!requestId) {
      // A response to an AuthnRequest, but not one this browser's login remembers.
      if (profile.inResponseTo) throw new PorticoError(ErrorCode.ERR_EDGE_IDENTITY_STATE_INVALID, 'unknown request');
      if (!this.plan.allowIdpInitiated) throw new PorticoError(ErrorCode.ERR_EDGE_SAML_IDP_INITIATED_REFUSED);
    }
    const { id, notOnOrAfter } = assertionOf(profile);
    if (!id || !(await this.seen.firstUse(this.clientId, id, notOnOrAfter && notOnOrAfter + clockSkewMs)))
      throw new PorticoError(ErrorCode.ERR_EDGE_SAML_REPLAYED, id);
    const groups = groupsOf(profile);
    const { authorizedGroups } = this.plan;
    if (authorizedGroups.length > 0 && !groups.some((g) => authorizedGroups.includes(g)))
      throw new PorticoError(ErrorCode.ERR_EDGE_SAML_GROUPS_DENIED, profile.nameID);
    return identityOf(profile);
  }

  /**
   * The IdP's LogoutRequest, signed (in the XML on the HTTP-POST binding, in the query on
   * HTTP-Redirect): answered with a signed LogoutResponse to the IdP's SingleLogoutService, so
   * its single logout goes on to the next service. A LogoutResponse (the end of a logout started
   * here) needs no answer once checked (logout-response.ts); a visit without a message starts one. The answer is Success when the request
   * names the user of this browser's session (by NameID) or the browser has no session; for
   * another user it is Requester / UnknownPrincipal: their session is not the one this browser
   * held, so the IdP must not count it as ended here.
   */
  async endSession(
    request: URL,
    rawQuery: string,
    posted: boolean,
    user: Identity | undefined,
  ): Promise<string | undefined> {
    const SAMLRequest = request.searchParams.get('SAMLRequest');
    if (request.searchParams.has('SAMLResponse') && !SAMLRequest) {
      const saml = await this.saml(this.plan.acsUrl, { logoutUrl: this.plan.idp.sloUrl || undefined });
      return void (await checkLogoutResponse(saml, request, rawQuery, posted));
    }
    if (!SAMLRequest) return this.startLogout(user);
    const saml = await this.saml(this.plan.acsUrl, { logoutUrl: this.plan.idp.sloUrl || undefined });
    let profile: Profile | null;
    try {
      if (posted) ({ profile } = await saml.validatePostRequestAsync({ SAMLRequest }));
      else {
        // node-saml takes a redirect without a signature as valid: only a signed one ends a session here.
        if (!request.searchParams.get('Signature')) throw new Error('the LogoutRequest is not signed');
        ({ profile } = await saml.validateRedirectAsync(Object.fromEntries(request.searchParams), rawQuery));
      }
      if (!profile) throw new Error('not a LogoutRequest');
    } catch (err) {
      throw new PorticoError(ErrorCode.ERR_EDGE_SAML_LOGOUT_INVALID, (err as Error).message, { cause: err });
    }
    if (!this.plan.idp.sloUrl) return undefined;
    const principalHere = !user || user.id === profile.nameID;
    return saml.getLogoutResponseUrlAsync(profile, request.searchParams.get('RelayState') ?? '', {}, principalHere);
  }

  /**
   * Single logout started here: the browser of a session goes on to the IdP's
   * SingleLogoutService with a LogoutRequest (signed with the route's key) for its user, so the
   * IdP ends its session and the user's other services' too. The IdP's LogoutResponse comes back
   * to the SLO URL, where the session is already over; it is checked there all the same. Without a session, or when the IdP has no
   * HTTP-Redirect SingleLogoutService, nothing is sent: the session here ends alone.
   */
  private async startLogout(user: Identity | undefined): Promise<string | undefined> {
    const { sloUrl, entityId } = this.plan.idp;
    if (!user || !sloUrl) return undefined;
    const saml = await this.saml(this.plan.acsUrl, { logoutUrl: sloUrl });
    const held = user.providerSession ?? {};
    const profile: Profile = {
      issuer: entityId,
      nameID: user.id,
      nameIDFormat: held.nameIDFormat ?? this.plan.nameidFormat,
      ...(held.nameQualifier && { nameQualifier: held.nameQualifier }),
      ...(held.spNameQualifier && { spNameQualifier: held.spNameQualifier }),
      ...(held.sessionIndex && { sessionIndex: held.sessionIndex }),
    };
    return saml.getLogoutUrlAsync(profile, '', {});
  }

  /** The signed assertion's profile; any failure of the library's checks as ERR_EDGE_SAML_RESPONSE_INVALID. */
  private async validate(acsUrl: string, response: string, requestId: string | undefined): Promise<Profile> {
    const { ValidateInResponseTo } = await nodeSaml();
    const saml = await this.saml(acsUrl, {
      // InResponseTo must name the AuthnRequest of this login; an unsolicited response is checked without.
      validateInResponseTo: requestId ? ValidateInResponseTo.always : ValidateInResponseTo.never,
      cacheProvider: oneRequest(requestId),
    });
    try {
      const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: response });
      if (!profile) throw new Error('no assertion');
      return profile;
    } catch (err) {
      throw new PorticoError(ErrorCode.ERR_EDGE_SAML_RESPONSE_INVALID, (err as Error).message, { cause: err });
    }
  }

  /**
   * The SP metadata (entity id, ACS and SLO URLs of the first hostport, the request-signing
   * certificate). The same certificate is offered for encryption: an IdP that encrypts
   * assertions encrypts them to it, and the flow decrypts with the route's key.
   */
  private async metadata(): Promise<string> {
    const signing = this.plan.signingCertificatePem || null;
    const decryption = this.signingKeyPem ? signing : null;
    return (await this.saml(this.plan.acsUrl, {})).generateServiceProviderMetadata(decryption, signing);
  }

  private async saml(acsUrl: string, o: Partial<SamlConfig>): Promise<SAML> {
    const { SAML } = await nodeSaml();
    return new SAML({
      idpCert: this.plan.idp.certificates,
      idpIssuer: this.plan.idp.entityId,
      entryPoint: this.plan.idp.ssoUrl,
      issuer: this.entityId,
      audience: this.entityId,
      callbackUrl: acsUrl,
      logoutCallbackUrl: this.plan.sloUrl || undefined,
      identifierFormat: this.plan.nameidFormat,
      // Either the Response or the Assertion must carry a valid signature (IdPs sign one or both).
      wantAuthnResponseSigned: false,
      wantAssertionsSigned: false,
      acceptedClockSkewMs: clockSkewMs,
      disableRequestedAuthnContext: true,
      ...(this.signingKeyPem
        ? { privateKey: this.signingKeyPem, signatureAlgorithm: 'sha256' as const, decryptionPvk: this.signingKeyPem }
        : {}),
      ...o,
    });
  }
}

/** The library's request-id cache holding only the AuthnRequest id this login remembered. */
function oneRequest(requestId: string | undefined): CacheProvider {
  const item = { value: new Date().toISOString(), createdAt: Date.now() };
  return {
    saveAsync: () => Promise.resolve(item),
    getAsync: (key) => Promise.resolve(requestId && key === requestId ? item.value : null),
    removeAsync: (key) => Promise.resolve(key),
  };
}

type Parsed = { Assertion?: { $?: { ID?: string }; Conditions?: Array<{ $?: { NotOnOrAfter?: string } }> } };

/** The signed assertion's ID and Conditions NotOnOrAfter (ms since the epoch). */
function assertionOf(profile: Profile): { id: string; notOnOrAfter: number | undefined } {
  const a = (profile.getAssertion?.() as Parsed | undefined)?.Assertion;
  const until = Date.parse(a?.Conditions?.[0]?.$?.NotOnOrAfter ?? '');
  return { id: a?.$?.ID ?? '', notOnOrAfter: Number.isNaN(until) ? undefined : until };
}
