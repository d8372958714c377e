/**
 * TLS versions as the API names them ("1.0".."1.3") and as Node names them ("TLSv1".."TLSv1.3"),
 * with the cipher setting that lets OpenSSL 3 speak the old ones at all.
 */
import type { SecureVersion } from 'node:tls';

/** API names of the versions a client may be held to, oldest first. */
export type TlsVersion = '1.0' | '1.1' | '1.2' | '1.3';

/** The minimum when no tls_termination module says otherwise (documented default). */
export const defaultMinVersion: TlsVersion = '1.2';

const nodeNames: Record<TlsVersion, SecureVersion> = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

/** The API name of `value`, or the default for anything else (null, undefined, unknown text). */
export function tlsVersionOf(value: unknown): TlsVersion {
  return typeof value === 'string' && value in nodeNames ? (value as TlsVersion) : defaultMinVersion;
}

/** Node's name for `version`, for `minVersion`. */
export function nodeTlsVersion(version: TlsVersion): SecureVersion {
  return nodeNames[version];
}

/**
 * The `ciphers` a context needs so that `minVersion` is reachable: OpenSSL 3's default security
 * level 1 refuses the SHA-1 signatures TLS 1.0 and 1.1 rely on, so those get level 0.
 * Undefined (Node's default list) for 1.2 and 1.3.
 */
export function ciphersFor(version: TlsVersion): string | undefined {
  return version === '1.0' || version === '1.1' ? 'DEFAULT:@SECLEVEL=0' : undefined;
}
