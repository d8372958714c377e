/** What the edge asks its signing process for (signer.ts), and what comes back. */
import type { Leaf } from './x509.ts';

/** A certificate (leaf first when it is a chain) and its PKCS#8 private key, both PEM. */
export interface Pem {
  certPem: string;
  keyPem: string;
}

/** One certificate to make: a new local CA, a leaf signed by `ca`, or a SAML module's signing key. */
export type SigningTask =
  { kind: 'local-ca' } | { kind: 'leaf'; ca: Pem; leaf: Leaf } | { kind: 'saml-signing-key'; commonName: string };

/** A task as sent to the signing process, numbered so that its answer finds it. */
export interface SigningRequest {
  id: number;
  task: SigningTask;
}

/** The signing process's answer: the certificate, or why it could not be made. */
export type SigningAnswer = { id: number; pem: Pem } | { id: number; error: string };
