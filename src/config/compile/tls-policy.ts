/**
 * The TLS settings of one public name, compiled from an edge's `tls_termination` and
 * `mutual_tls` modules, or from an agent endpoint's `MutualTLSCA` bind option: the oldest TLS
 * version accepted and the CAs client certificates must chain to. Compiled once per snapshot
 * (edges) or per bind (agent endpoints) so a handshake only reads it.
 */
import { createHash } from 'node:crypto';
import { ErrorCode } from '../../errors/catalogue.ts';
import { checkCaBundle, PemError } from '../certificates/pem.ts';
import { ConfigProblem } from './problem.ts';
import { defaultMinVersion, tlsVersionOf, type TlsVersion } from './tls-versions.ts';

export interface TlsPolicy {
  /** Oldest TLS version accepted. Default "1.2". */
  minVersion: TlsVersion;
  /** PEM of every CA a client certificate must chain to (empty: none is trusted); undefined when no client certificate is asked for. */
  clientCaPem: string | undefined;
  /** Equal for equal settings: secure contexts are cached by it. */
  key: string;
}

/** The policy of names without an edge, of agent endpoints without MutualTLSCA and of edges without the modules. */
export const defaultTlsPolicy: TlsPolicy = makePolicy(defaultMinVersion, undefined);

/** Stored module shapes, as far as the policy reads them. */
export interface TlsModuleDocs {
  tls_termination?: { enabled?: boolean; min_version?: string | null } | null;
  mutual_tls?: { enabled?: boolean; certificate_authority_ids?: string[] } | null;
}

/**
 * The policy of an edge. `caPemOf` returns a certificate authority's PEM by id (same account),
 * or undefined when it is gone; a missing CA is a ConfigProblem naming the field.
 */
export function compileTlsPolicy(doc: TlsModuleDocs, caPemOf: (id: string) => string | undefined): TlsPolicy {
  const termination = doc.tls_termination?.enabled === false ? undefined : doc.tls_termination;
  const mtls = doc.mutual_tls?.enabled === false ? undefined : doc.mutual_tls;
  let clientCaPem: string | undefined;
  if (mtls) {
    const ids = mtls.certificate_authority_ids ?? [];
    const pems = ids.map((id, i) => {
      const pem = caPemOf(id);
      if (!pem)
        throw new ConfigProblem(
          `mutual_tls.certificate_authority_ids[${i}]`,
          ErrorCode.ERR_NGROK_1672,
          `${id} does not exist`,
        );
      return pem.trim();
    });
    // An enabled module with no CA accepts no client at all, which is what it says.
    clientCaPem = pems.length ? pems.join('\n') + '\n' : '';
  }
  return makePolicy(tlsVersionOf(termination?.min_version), clientCaPem);
}

/**
 * The policy of an agent endpoint that asks for client certificates: the default minimum
 * version and the CAs of `caPem`, a PEM bundle of CA certificates. The CAs are kept in a
 * canonical form (re-encoded, sorted, without duplicates) so that equal sets have equal keys
 * whatever their order or comments. A bad bundle is a ConfigProblem at `field` with the
 * certificate code (ERR_CERT_PEM_INVALID, ERR_CERT_NOT_CA).
 */
export function clientCaTlsPolicy(caPem: string, field: string): TlsPolicy {
  let pems: string[];
  try {
    pems = checkCaBundle(caPem).map((cert) => cert.toString().trim());
  } catch (err) {
    if (err instanceof PemError) throw new ConfigProblem(field, err.code, err.message);
    throw err;
  }
  return makePolicy(defaultMinVersion, [...new Set(pems)].sort().join('\n') + '\n');
}

function makePolicy(minVersion: TlsVersion, clientCaPem: string | undefined): TlsPolicy {
  const caKey = clientCaPem === undefined ? '-' : createHash('sha256').update(clientCaPem).digest('hex').slice(0, 16);
  return { minVersion, clientCaPem, key: `${minVersion}/${caKey}` };
}
