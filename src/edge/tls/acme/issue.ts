/**
 * One ACME order for one domain: a fresh key of the policy's type, a CSR, the challenge of the
 * preferred type answered through AcmeChallenges, and the issued chain (leaf first).
 */
import * as acme from 'acme-client';
import { createPrivateKey } from 'node:crypto';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import type { AcmeChallenges } from './challenges.ts';

/** Challenge types the edge answers itself. */
export type ChallengeType = 'http-01' | 'tls-alpn-01';

export interface IssueRequest {
  client: acme.Client;
  challenges: AcmeChallenges;
  /** Lower-case DNS name, not a wildcard. */
  domain: string;
  privateKeyType: 'rsa' | 'ecdsa';
  /** Tried in this order among those the CA offers. */
  challengeTypes: readonly ChallengeType[];
  /** Contact for the account, optional. */
  email?: string;
}

export interface IssuedCertificate {
  /** The chain the CA returned, leaf first. */
  certificatePem: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
}

/** Orders and downloads a certificate; failures are PorticoErrors with an ERR_ACME_… code. */
export async function issueCertificate(request: IssueRequest): Promise<IssuedCertificate> {
  const { client, challenges, domain } = request;
  const key =
    request.privateKeyType === 'rsa'
      ? await acme.crypto.createPrivateRsaKey(2048)
      : await acme.crypto.createPrivateEcdsaKey('P-256');
  const [, csr] = await acme.crypto.createCsr({ commonName: domain, altNames: [domain] }, key);
  try {
    const certificatePem = await client.auto({
      csr,
      email: request.email,
      termsOfServiceAgreed: true,
      // The CA validates from outside; a self-check from inside the edge proves nothing.
      skipChallengeVerification: true,
      challengePriority: [...request.challengeTypes],
      challengeCreateFn: async (authz, challenge, keyAuthorization) => {
        // acme-client's types list only http-01 and dns-01; CAs also offer tls-alpn-01.
        const type: string = challenge.type;
        if (type === 'http-01') return challenges.setHttp(challenge.token, keyAuthorization);
        if (type !== 'tls-alpn-01')
          throw new PorticoError(
            ErrorCode.ERR_ACME_CHALLENGE_FAILED,
            `${domain}: the CA offered no challenge the edge can answer (got ${challenge.type})`,
          );
        const [alpnKey, alpnCert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization);
        challenges.setAlpn(domain, alpnCert.toString(), alpnKey.toString());
      },
      challengeRemoveFn: async (_authz, challenge) => {
        if (challenge.type === 'http-01') challenges.deleteHttp(challenge.token);
        else challenges.deleteAlpn(domain);
      },
    });
    const privateKeyPem = createPrivateKey(key).export({ type: 'pkcs8', format: 'pem' }).toString();
    return { certificatePem, privateKeyPem };
  } catch (err) {
    throw acmeFailure(domain, err);
  }
}

/** Maps what acme-client throws to a catalogued error with the CA's own words in the message. */
function acmeFailure(domain: string, err: unknown): PorticoError {
  if (err instanceof PorticoError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // acme-client reports a failed validation as 'Authorization not found'/'…invalid…' with the CA's detail.
  const challenge = /challenge|authorization|invalid|unauthorized|connection|dns|incorrect|validat/i.test(message);
  return new PorticoError(
    challenge ? ErrorCode.ERR_ACME_CHALLENGE_FAILED : ErrorCode.ERR_ACME_ORDER_FAILED,
    `${domain}: ${message}`,
    { cause: err },
  );
}
