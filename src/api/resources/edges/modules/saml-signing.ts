/**
 * The request-signing key of a route's SAML module: RSA 2048 with a self-signed certificate
 * (SHA-256, valid 10 years), made when the module is written. The edge signs its AuthnRequests
 * with it; the IdP checks them against the certificate (in the SP metadata and the API's
 * `request_signing_certificate_pem`). The private key is stored sealed and never read back.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const RSA: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};
const YEAR_MS = 365 * 86_400_000;

export interface SigningKey {
  certificatePem: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
}

/** A new key and its certificate, named after the SP entity id (or "Portico SAML SP"). */
export async function newSigningKey(commonName: string): Promise<SigningKey> {
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${commonName.replace(/[,+="<>#;\\]/g, '_') || 'Portico SAML SP'}`,
    keys,
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 10 * YEAR_MS),
    signingAlgorithm: RSA,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { certificatePem: cert.toString('pem'), privateKeyPem };
}
