/**
 * The request-signing key of a route's SAML module: RSA 2048 with a self-signed certificate
 * (SHA-256, valid 10 years), made when the module is written, in the edge's signing process
 * (src/config/certificates/signing/). The edge signs its AuthnRequests with it; the IdP checks
 * them against the certificate (in the SP metadata and the API's
 * `request_signing_certificate_pem`). The private key is stored sealed and never read back.
 */
import { sign } from '../../../../config/certificates/signing/signer.ts';

export interface SigningKey {
  certificatePem: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
}

/** A new key and its certificate, named after the SP entity id (or "Portico SAML SP"). */
export async function newSigningKey(commonName: string): Promise<SigningKey> {
  const { certPem, keyPem } = await sign({ kind: 'saml-signing-key', commonName });
  return { certificatePem: certPem, privateKeyPem: keyPem };
}
