/**
 * `saml`: a login with a SAML identity provider, from a route's stored module, compiled to one
 * plan. The IdP's metadata is read here, once: its entity id, its single sign-on URL for the
 * HTTP-Redirect binding and its signing certificates. Metadata without them is refused with the
 * field path, so a route never runs with an IdP it cannot reach or verify.
 */
import type * as Xmldom from '@xmldom/xmldom';
import { ErrorCode } from '../../errors/catalogue.ts';
import { requireOnFirstUse } from '../../packages/on-first-use.ts';
import { ConfigProblem } from '../compile/problem.ts';
import { compileSession } from './oidc.ts';
import type { SamlPlan } from './plans.ts';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

// The XML parser loads with the first metadata read: an edge without SAML never holds it.
const xmldom = requireOnFirstUse<typeof Xmldom>('@xmldom/xmldom');

/** A `saml` module as stored; the request-signing private key is sealed for the owning account. */
export interface SamlSlot {
  enabled?: boolean;
  idp_metadata?: string;
  force_authn?: boolean | null;
  allow_idp_initiated?: boolean | null;
  authorized_groups?: string[] | null;
  nameid_format?: string | null;
  request_signing_certificate_pem?: string;
  request_signing_private_key?: string;
  options_passthrough?: boolean | null;
  cookie_prefix?: string | null;
  inactivity_timeout?: number | null;
  maximum_duration?: number | null;
}

/** Where a route's SAML module sits: its id and the edge's hostports ("host:port"). */
export interface SamlOwner {
  id: string;
  hostports: readonly string[];
}

/** What the edge reports and serves as the service provider, on the edge's first hostport. */
export interface SamlServiceUrls {
  entity_id: string;
  assertion_consumer_service_url: string;
  single_logout_url: string;
  metadata_url: string;
}

/**
 * The service-provider URLs of a route's SAML module: `https://<host>/saml/<route id>/{metadata,acs,slo}`
 * on the first hostport. The entity id is the metadata URL. Empty strings while there is no hostport.
 */
export function samlServiceUrls(hostports: readonly string[], ownerId: string): SamlServiceUrls {
  const first = hostports[0];
  if (!first) return { entity_id: '', assertion_consumer_service_url: '', single_logout_url: '', metadata_url: '' };
  const [host, port] = [first.slice(0, first.lastIndexOf(':')), first.slice(first.lastIndexOf(':') + 1)];
  const base = `https://${host}${port === '443' ? '' : `:${port}`}/saml/${ownerId}`;
  return {
    entity_id: `${base}/metadata`,
    assertion_consumer_service_url: `${base}/acs`,
    single_logout_url: `${base}/slo`,
    metadata_url: `${base}/metadata`,
  };
}

/** What the edge needs of an IdP's metadata. */
export interface IdpMetadata {
  entityId: string;
  /** SingleSignOnService Location for the HTTP-Redirect binding. */
  ssoUrl: string;
  /** SingleLogoutService Location for the HTTP-Redirect binding, where a LogoutResponse goes; "" when it has none. */
  sloUrl: string;
  /** Signing certificates as PEM. */
  certificates: string[];
}

/** Reads an IdP's EntityDescriptor; throws a ConfigProblem on `field` naming what is missing. */
export function parseIdpMetadata(xml: string, field: string): IdpMetadata {
  const problem = (why: string) => new ConfigProblem(field, ErrorCode.ERR_SAML_CONFIG_INVALID, why);
  let root: XmlElement | undefined;
  try {
    const doc = new (xmldom().DOMParser)({ errorHandler: { error: fail, fatalError: fail } }).parseFromString(
      xml,
      'text/xml',
    );
    root = (doc as unknown as XmlElement).getElementsByTagNameNS(MD, 'EntityDescriptor').item(0) ?? undefined;
  } catch {
    throw problem('is not well-formed XML');
  }
  if (!root) throw problem('has no md:EntityDescriptor');
  const entityId = root.getAttribute('entityID') ?? '';
  const idp = root.getElementsByTagNameNS(MD, 'IDPSSODescriptor').item(0);
  if (!entityId || !idp) throw problem('needs an entityID and an IDPSSODescriptor');
  const sso = [...asArray(idp.getElementsByTagNameNS(MD, 'SingleSignOnService'))].find(
    (e) => e.getAttribute('Binding') === REDIRECT_BINDING,
  );
  const ssoUrl = sso?.getAttribute('Location') ?? '';
  if (!/^https?:\/\//.test(ssoUrl)) throw problem('needs a SingleSignOnService with the HTTP-Redirect binding');
  const certificates = asArray(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    .filter((k) => (k.getAttribute('use') || 'signing') === 'signing')
    .flatMap((k) => asArray(k.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((c) => pem((c.textContent ?? '').replace(/\s+/g, '')))
    .filter((p) => p.length > 60);
  if (certificates.length === 0) throw problem('needs a signing KeyDescriptor with an X509Certificate');
  const slo = [...asArray(idp.getElementsByTagNameNS(MD, 'SingleLogoutService'))].find(
    (e) => e.getAttribute('Binding') === REDIRECT_BINDING,
  );
  const sloUrl = slo?.getAttribute('Location') ?? '';
  return { entityId, ssoUrl, sloUrl: /^https?:\/\//.test(sloUrl) ? sloUrl : '', certificates };
}

/** A route's stored `saml` module as a plan. */
export function compileSaml(slot: SamlSlot, field: string, accountId: string, owner: SamlOwner): SamlPlan {
  const idp = parseIdpMetadata(slot.idp_metadata ?? '', `${field}.idp_metadata`);
  const urls = samlServiceUrls(owner.hostports, owner.id);
  return {
    name: 'saml',
    ownerId: owner.id,
    entityId: urls.entity_id,
    acsUrl: urls.assertion_consumer_service_url,
    sloUrl: urls.single_logout_url,
    idp,
    forceAuthn: slot.force_authn ?? false,
    allowIdpInitiated: slot.allow_idp_initiated ?? false,
    authorizedGroups: slot.authorized_groups ?? [],
    nameidFormat: slot.nameid_format || 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    signingCertificatePem: slot.request_signing_certificate_pem ?? '',
    session: compileSession(slot),
    // Who may pass is decided by authorized_groups, at login (saml-flow.ts).
    constraints: { allowEmails: [], allowDomains: [] },
    sealedSecret: slot.request_signing_private_key ?? '',
    accountId,
  };
}

/** What is used of xmldom's elements (this project compiles without the DOM library). */
interface XmlElement {
  getAttribute(name: string): string | null;
  getElementsByTagNameNS(ns: string, name: string): { length: number; item(i: number): XmlElement | null };
  textContent: string | null;
}

function fail(message: string): never {
  throw new Error(message);
}

function asArray<T>(list: { length: number; item(i: number): T | null }): T[] {
  const out: T[] = [];
  for (let i = 0; i < list.length; i++) out.push(list.item(i)!);
  return out;
}

function pem(base64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}
