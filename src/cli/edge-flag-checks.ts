/**
 * Checks of `portico edge` flags that run before anything of the edge is made: a refused value
 * exits 1 with ERR_CONFIG_INVALID naming the flag, never a store, CA or credentials made first.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isValidHostname, normalizeHostname } from '../config/names/hostname.ts';
import { LETS_ENCRYPT_DIRECTORY } from '../edge/tls/acme/config.ts';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';

/** --domain, lower-cased; a name that is not a DNS name is refused. */
export function checkDomain(value: string): string {
  const domain = value.toLowerCase();
  if (!isValidHostname(normalizeHostname(domain)))
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      `--domain: "${value}" is not a valid domain name (letters, digits and inner hyphens, labels separated by dots: edge.example.com)`,
    );
  return domain;
}

/**
 * --metrics-key (or PORTICO_METRICS_KEY) given but empty is refused: it would leave /metrics
 * open while the operator believes it is closed.
 */
export function checkMetricsKey(key: string | undefined, fromFlag: boolean): void {
  if (key !== '') return;
  const what = fromFlag ? '--metrics-key is empty' : 'PORTICO_METRICS_KEY is set but empty';
  throw new PorticoError(
    ErrorCode.ERR_CONFIG_INVALID,
    `${what}: an empty key would leave /metrics open; give a key, or leave it out for an open /metrics`,
  );
}

/**
 * The text of the PEM file of CA certificates at `path`, each certificate in it parsed now, so a
 * wrong file stops the start; ERR_CONFIG_INVALID naming `flag` and the file otherwise.
 */
export function readCaPem(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PorticoError(ErrorCode.ERR_CONFIG_INVALID, `${flag}: cannot read ${path}`, { cause: err });
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const invalid = (why: string, cause?: unknown) =>
    new PorticoError(ErrorCode.ERR_CONFIG_INVALID, `${flag}: ${path} ${why}; give a PEM file of CA certificates`, {
      cause,
    });
  if (blocks.length === 0) throw invalid('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw invalid(`has a certificate that does not parse (certificate ${i + 1}: ${(err as Error).message})`, err);
    }
  });
  return text;
}

/** --acme-directory-url must be an http(s) URL; checked at start rather than at the first certificate. */
export function acmeDirectoryUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // Refused below.
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      `--acme-directory-url: "${value}" is not an http(s) URL (e.g. ${LETS_ENCRYPT_DIRECTORY})`,
    );
  return value;
}
