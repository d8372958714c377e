/**
 * A real SAML IdP for tests: samlify as the identity provider (RSA key and self-signed
 * certificate from `openssl req -x509`), answering the AuthnRequest the edge redirected to with
 * a signed Response for the HTTP-POST binding. The response XML is kept for independent checks
 * (xmlsec1) and for forging: tampered, unsigned, replayed. It also starts single logout: a signed
 * LogoutRequest to the SP, whose LogoutResponse it checks.
 */
import validator from '@authenio/samlify-xmllint-wasm';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import * as samlify from 'samlify';

samlify.setSchemaValidator(validator);

const { binding } = samlify.Constants.namespace;

export interface SamlUser {
  nameId: string;
  email: string;
  name: string;
  groups: string[];
}

export interface SamlAnswer {
  /** The Response XML as the IdP signed it. */
  xml: string;
  relayState: string;
}

/** A self-signed RSA key and certificate made by openssl. */
export function opensslKeyPair(cn: string): { keyPem: string; certPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'portico-saml-'));
  try {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${cn}`],
        ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      ],
      { stdio: 'pipe' },
    );
    return { keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), certPem: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class TestSamlIdp {
  readonly entityId = 'https://idp.saml.test/metadata';
  readonly ssoUrl = 'https://idp.saml.test/sso';
  readonly sloUrl = 'https://idp.saml.test/slo';
  readonly keys = opensslKeyPair('Portico Test IdP');
  readonly idp: samlify.IdentityProviderInstance;

  private readonly encryptAssertions: boolean;

  /**
   * `encryptAssertions`: assertions are encrypted to the SP metadata's encryption certificate
   * (AES-256-CBC, RSA-OAEP), then the Response is signed over the encrypted assertion.
   */
  constructor(o: { encryptAssertions?: boolean } = {}) {
    this.encryptAssertions = o.encryptAssertions ?? false;
    this.idp = samlify.IdentityProvider({
      entityID: this.entityId,
      privateKey: this.keys.keyPem,
      signingCert: this.keys.certPem,
      isAssertionEncrypted: this.encryptAssertions,
      wantAuthnRequestsSigned: true,
      wantLogoutResponseSigned: true,
      wantLogoutRequestSigned: true,
      singleSignOnService: [{ Binding: binding.redirect, Location: this.ssoUrl }],
      singleLogoutService: [{ Binding: binding.redirect, Location: this.sloUrl }],
      nameIDFormat: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'],
    });
  }

  user: SamlUser = { nameId: 'u-alice', email: 'alice@example.com', name: 'Alice Doe', groups: ['staff'] };
  /** The SessionIndex of the IdP's session of the user, named in each assertion (single logout names it back). */
  readonly sessionIndex = `_session_${randomBytes(8).toString('hex')}`;
  /** AuthnRequests received: their ForceAuthn flag. */
  readonly requests: Array<{ forceAuthn: boolean }> = [];

  get metadata(): string {
    return this.idp.getMetadata();
  }

  /** Answers the AuthnRequest in `redirectUrl` (the edge's 302), checking its signature against the SP metadata. */
  async answer(redirectUrl: string, spMetadata: string): Promise<SamlAnswer> {
    const sp = samlify.ServiceProvider({ metadata: spMetadata });
    const url = new URL(redirectUrl);
    const query = Object.fromEntries(url.searchParams);
    const { extract } = await this.idp.parseLoginRequest(sp, 'redirect', { query, octetString: signedPart(url) });
    const request = extract as { request: { id: string }; forceAuthn?: string };
    this.requests.push({ forceAuthn: /ForceAuthn="true"/.test(inflate(query.SAMLRequest!)) });
    return { xml: await this.respond(sp, request.request.id), relayState: query.RelayState ?? '' };
  }

  /**
   * A LogoutRequest for the current user, signed, to the SP of `spMetadata`: on the HTTP-POST
   * binding (the one the SP metadata names) its form fields; on HTTP-Redirect the URL, with the
   * signature in its query.
   */
  logoutRequest(spMetadata: string, via: 'post' | 'redirect'): { id: string; form?: URLSearchParams; url?: string } {
    const relayState = 'idp-relay';
    if (via === 'post') {
      const sp = samlify.ServiceProvider({ metadata: spMetadata, wantLogoutRequestSigned: true });
      const made = this.idp.createLogoutRequest(sp, 'post', { logoutNameID: this.user.nameId }, relayState) as {
        id: string;
        context: string;
      };
      return { id: made.id, form: new URLSearchParams({ SAMLRequest: made.context, RelayState: relayState }) };
    }
    // samlify builds the redirect to the SP's HTTP-Redirect SLO service; the edge takes both bindings there.
    const redirectSlo = spMetadata.replace(/(SingleLogoutService Binding=")[^"]+/, `$1${binding.redirect}`);
    const sp = samlify.ServiceProvider({ metadata: redirectSlo, wantLogoutRequestSigned: true });
    const made = this.idp.createLogoutRequest(sp, 'redirect', { logoutNameID: this.user.nameId }, relayState) as {
      id: string;
      context: string;
    };
    return { id: made.id, url: made.context };
  }

  /**
   * Reads the LogoutResponse in `redirectUrl` (the SP's 303): samlify checks its signature against
   * the SP metadata and refuses a status other than Success. Resolves with what it answers.
   */
  async logoutResponse(redirectUrl: string, spMetadata: string): Promise<{ inResponseTo: string }> {
    const sp = samlify.ServiceProvider({ metadata: spMetadata });
    const url = new URL(redirectUrl);
    const { extract } = await this.idp.parseLogoutResponse(sp, 'redirect', {
      query: Object.fromEntries(url.searchParams),
      octetString: signedPart(url),
    });
    return { inResponseTo: (extract as { response: { inResponseTo: string } }).response.inResponseTo };
  }

  /**
   * Answers the SP's LogoutRequest in `redirectUrl` (its 303 on the HTTP-Redirect binding):
   * samlify checks its signature against the SP metadata's certificate. Resolves with whom it
   * names and the signed LogoutResponse back to the SP: on HTTP-Redirect its URL, on HTTP-POST
   * (the binding the SP metadata names) its form fields.
   */
  async answerLogout(
    redirectUrl: string,
    spMetadata: string,
    via: 'post' | 'redirect' = 'redirect',
    status = 'urn:oasis:names:tc:SAML:2.0:status:Success',
  ): Promise<{ nameId: string; sessionIndex: string | undefined; url: string; form: URLSearchParams }> {
    const redirectSlo = spMetadata.replace(/(SingleLogoutService Binding=")[^"]+/, `$1${binding.redirect}`);
    // samlify signs a LogoutResponse only for an SP that says it wants one signed.
    const sp = samlify.ServiceProvider({
      metadata: via === 'post' ? spMetadata : redirectSlo,
      wantLogoutResponseSigned: true,
    });
    const url = new URL(redirectUrl);
    const parsed = await this.idp.parseLogoutRequest(sp, 'redirect', {
      query: Object.fromEntries(url.searchParams),
      octetString: signedPart(url),
    });
    const extract = parsed.extract as { nameID: string; sessionIndex?: string };
    const info = parsed as unknown as Parameters<samlify.IdentityProviderInstance['createLogoutResponse']>[1];
    const relayState = url.searchParams.get('RelayState') ?? '';
    const answer = (template: string) => {
      const id = `_${randomBytes(16).toString('hex')}`;
      const values = {
        ID: id,
        Destination: sp.entityMeta.getSingleLogoutService(via === 'post' ? binding.post : binding.redirect) as string,
        Issuer: this.entityId,
        IssueInstant: new Date().toISOString(),
        StatusCode: status,
        InResponseTo: (parsed.extract as { request: { id: string } }).request.id,
      };
      const context = template.replace(/\{(\w+)\}/g, (tag, name: string) => values[name as keyof typeof values] ?? tag);
      return { id, context };
    };
    const made = this.idp.createLogoutResponse(sp, info, via, relayState, answer) as { context: string };
    return {
      nameId: extract.nameID,
      sessionIndex: extract.sessionIndex,
      url: via === 'redirect' ? made.context : '',
      form: new URLSearchParams(via === 'post' ? { SAMLResponse: made.context, RelayState: relayState } : {}),
    };
  }

  /** An IdP-initiated (unsolicited) response for the SP of `spMetadata`. */
  async unsolicited(spMetadata: string): Promise<string> {
    return this.respond(samlify.ServiceProvider({ metadata: spMetadata }), '');
  }

  private async respond(sp: samlify.ServiceProviderInstance, inResponseTo: string): Promise<string> {
    const user = this.user;
    const { context } = await this.idp.createLoginResponse(
      sp,
      { extract: { request: { id: inResponseTo } } },
      'post',
      { email: user.nameId },
      (template: string) => {
        const filled = template
          .replace('{AttributeStatement}', attributeStatement(user))
          .replace('{AuthnStatement}', authnStatement(this.sessionIndex));
        const xml = inResponseTo ? filled : filled.replace(/ InResponseTo="\{InResponseTo\}"/g, '');
        const id = `_${randomBytes(16).toString('hex')}`;
        const now = new Date();
        const later = new Date(now.getTime() + 5 * 60_000).toISOString();
        const acs = sp.entityMeta.getAssertionConsumerService(binding.post) as string;
        const values = {
          ID: id,
          AssertionID: `_${randomBytes(16).toString('hex')}`,
          Destination: acs,
          Audience: sp.entityMeta.getEntityID(),
          SubjectRecipient: acs,
          Issuer: this.entityId,
          IssueInstant: now.toISOString(),
          StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
          ConditionsNotBefore: now.toISOString(),
          ConditionsNotOnOrAfter: later,
          SubjectConfirmationDataNotOnOrAfter: later,
          NameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
          NameID: user.nameId,
          InResponseTo: inResponseTo,
        };
        return {
          id,
          context: xml.replace(/\{(\w+)\}/g, (tag, name: string) => values[name as keyof typeof values] ?? tag),
        };
      },
      // Encrypting after signing the Response would break its signature: encrypt, then sign.
      this.encryptAssertions,
    );
    return Buffer.from(context, 'base64').toString('utf8');
  }
}

function attributeStatement(user: SamlUser): string {
  const attr = (name: string, values: string[]) =>
    `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values
      .map((v) => `<saml:AttributeValue xsi:type="xs:string">${v}</saml:AttributeValue>`)
      .join('')}</saml:Attribute>`;
  return `<saml:AttributeStatement>${attr('email', [user.email])}${attr('name', [user.name])}${attr('groups', user.groups)}</saml:AttributeStatement>`;
}

function authnStatement(sessionIndex: string): string {
  const now = new Date().toISOString();
  return `<saml:AuthnStatement AuthnInstant="${now}" SessionIndex="${sessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`;
}

/** What a redirect binding's signature covers: the query as sent, without the Signature. */
function signedPart(url: URL): string {
  return url.search
    .slice(1)
    .split('&')
    .filter((p) => !p.startsWith('Signature='))
    .join('&');
}

/** The AuthnRequest XML of a redirect binding's SAMLRequest (raw DEFLATE, base64). */
function inflate(samlRequest: string): string {
  return inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
}
