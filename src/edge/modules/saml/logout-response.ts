/**
 * The IdP's LogoutResponse to a single logout started here (saml-flow.ts `startLogout`): it must
 * be signed by the IdP (in the query on HTTP-Redirect, in the XML on HTTP-POST), name the IdP as
 * issuer and say Success. The session here is over before it comes; one that fails is refused,
 * so the user learns that the IdP may not have signed them out.
 */
import type { SAML } from '@node-saml/node-saml';
import type * as Xmldom from '@xmldom/xmldom';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import { requireOnFirstUse } from '../../../packages/on-first-use.ts';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const xmldom = requireOnFirstUse<typeof Xmldom>('@xmldom/xmldom');

/** Resolves when `request` (the SLO URL, a posted form merged into its query) carries a good LogoutResponse. */
export async function checkLogoutResponse(saml: SAML, request: URL, rawQuery: string, posted: boolean): Promise<void> {
  const SAMLResponse = request.searchParams.get('SAMLResponse') ?? '';
  try {
    if (posted) {
      // The library checks the signature, and that it is a LogoutResponse; not its status.
      const { loggedOut } = await saml.validatePostResponseAsync({ SAMLResponse });
      if (!loggedOut) throw new Error('not a LogoutResponse');
      const status = statusOf(Buffer.from(SAMLResponse, 'base64').toString('utf8'));
      if (status !== SUCCESS) throw new Error(`status ${status || 'missing'}`);
    } else {
      // The library takes a redirect without a signature as valid; it checks the status and issuer.
      if (!request.searchParams.get('Signature')) throw new Error('the LogoutResponse is not signed');
      await saml.validateRedirectAsync(Object.fromEntries(request.searchParams), rawQuery);
    }
  } catch (err) {
    throw new PorticoError(ErrorCode.ERR_EDGE_SAML_LOGOUT_RESPONSE_INVALID, (err as Error).message, { cause: err });
  }
}

/** The top-level StatusCode's value of a LogoutResponse's XML. */
function statusOf(xml: string): string {
  const fail = (message: string): never => {
    throw new Error(message);
  };
  const doc = new (xmldom().DOMParser)({ errorHandler: { error: fail, fatalError: fail } }).parseFromString(
    xml,
    'text/xml',
  ) as unknown as { documentElement: XmlElement | null };
  const status = [...childElements(doc.documentElement)].find(
    (e) => e.namespaceURI === PROTOCOL && e.localName === 'Status',
  );
  const code = [...childElements(status)].find((e) => e.namespaceURI === PROTOCOL && e.localName === 'StatusCode');
  return code?.getAttribute('Value') ?? '';
}

/** What is used of xmldom's nodes (this project compiles without the DOM library). */
interface XmlElement {
  namespaceURI: string | null;
  localName: string | null;
  getAttribute(name: string): string | null;
  childNodes: { length: number; item(i: number): XmlElement | null };
}

function* childElements(parent: XmlElement | null | undefined): Generator<XmlElement> {
  if (!parent) return;
  for (let i = 0; i < parent.childNodes.length; i++) {
    const node = parent.childNodes.item(i);
    if (node?.localName) yield node;
  }
}
