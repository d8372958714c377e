/**
 * Zero-knowledge TLS: the agent terminates TLS for an http or tls endpoint with the user's own
 * certificate and key (`--crt`/`--key`), so the edge only ever relays ciphertext. The endpoint is
 * bound as a TLS endpoint (the edge passes it through by SNI); each proxy stream is wrapped in a
 * server-side TLSSocket here and the plaintext goes to the local service.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { TLSSocket, createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { Logger } from '../log/logger.ts';
import type { ListenSpec } from './listener.ts';

/** The certificate (chain) and private key the agent terminates TLS with, both PEM text. */
export interface TerminateTls {
  cert: string;
  key: string;
}

/** Milliseconds a client has to finish the handshake with the agent. */
const handshakeTimeoutMs = 10_000;

const invalid = (where: string, why: string) =>
  new PorticoError(ErrorCode.ERR_AGENT_TLS_CERT_INVALID, `${where}: ${why}`);

/**
 * Reads `--crt`/`--key` (or a config tunnel's `crt`/`key`) from disk and checks them; `where`
 * names the setting in errors. Synchronous: it runs once, at start.
 */
export function readTerminateTls(
  certPath: string | undefined,
  keyPath: string | undefined,
  where: string,
): TerminateTls {
  if (!certPath || !keyPath) throw invalid(where, 'give both a certificate and a key');
  const tlsFiles = { cert: readPemFile(certPath, where), key: readPemFile(keyPath, where) };
  checkTerminateTls(tlsFiles, `${where} (${certPath}, ${keyPath})`);
  return tlsFiles;
}

function readPemFile(path: string, where: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(where, `cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Checks a certificate/key pair and builds the context each proxy stream's handshake uses.
 * Throws ERR_AGENT_TLS_CERT_INVALID: not a PEM certificate, not a PEM key, an encrypted key,
 * or a key that does not belong to the certificate.
 */
export function agentTlsContext(t: TerminateTls, where = 'terminateTls'): SecureContext {
  checkTerminateTls(t, where);
  try {
    return createSecureContext({ cert: t.cert, key: t.key });
  } catch (err) {
    throw invalid(where, `Node TLS refused the pair: ${(err as Error).message}`);
  }
}

/** The checks of agentTlsContext(), without building a context. */
export function checkTerminateTls(t: TerminateTls, where: string): void {
  const cert = parseCertificate(t.cert, where);
  const key = parseKey(t.key, where);
  if (!cert.checkPrivateKey(key))
    throw invalid(where, `the key does not match the certificate for ${cert.subject.replace(/\n/g, ', ')}`);
}

function parseCertificate(pem: string, where: string): X509Certificate {
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw invalid(where, 'the certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)');
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw invalid(where, `the certificate cannot be parsed: ${(err as Error).message}`);
  }
}

function parseKey(pem: string, where: string): KeyObject {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    throw invalid(
      where,
      'the key is encrypted; give an unencrypted key (e.g. `openssl pkey -in key.pem -out plain.pem`)',
    );
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    throw invalid(where, 'the key is not a PEM private key (-----BEGIN PRIVATE KEY-----)');
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw invalid(where, `the key cannot be parsed: ${(err as Error).message}`);
  }
}

/** Refuses specs where agent termination makes no sense (tcp, labeled, `scheme: http`). */
export function checkTerminationSpec(spec: ListenSpec): void {
  if (!spec.terminateTls) return;
  const proto = spec.proto ?? 'http';
  if (spec.labels || proto === 'tcp')
    throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, '--crt/--key apply to http and tls endpoints only');
  if (spec.scheme === 'http')
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      '--crt/--key terminate TLS, so the public scheme cannot be http',
    );
}

/** True when `spec` serves HTTP behind agent-terminated TLS (ALPN http/1.1, https:// URL). */
export function terminatesHttp(spec: ListenSpec): boolean {
  return spec.terminateTls !== undefined && (spec.proto ?? 'http') !== 'tls';
}

/**
 * The public URL of a bound endpoint: the edge answers `tls://name:port` for the TLS endpoint
 * an http tunnel with agent termination binds; the user reaches it as `https://name:port`.
 */
export function publicUrl(spec: ListenSpec, url: string): string {
  return terminatesHttp(spec) && url.startsWith('tls://') ? `https://${url.slice('tls://'.length)}` : url;
}

/**
 * Wraps the proxy stream in a server-side TLS session. The returned socket carries the
 * client's plaintext; a failed or slow (10 s) handshake tears the stream down.
 */
export function terminateAgentTls(stream: Duplex, context: SecureContext, http: boolean, logger: Logger): TLSSocket {
  const socket = new TLSSocket(stream, {
    isServer: true,
    secureContext: context,
    ...(http ? { ALPNProtocols: ['http/1.1'] } : {}),
  });
  const timer = setTimeout(
    () => socket.destroy(new Error(`no TLS handshake after ${handshakeTimeoutMs} ms`)),
    handshakeTimeoutMs,
  );
  socket.once('secure', () => clearTimeout(timer));
  socket.once('close', () => {
    clearTimeout(timer);
    stream.destroy();
  });
  socket.on('error', (err) => {
    logger.debug('agent TLS termination failed', { err });
    socket.destroy();
  });
  return socket;
}

/**
 * A warning when the certificate does not cover the bound hostname (typically: no --domain was
 * given and the edge assigned a random name), else undefined.
 */
export function certificateWarning(spec: ListenSpec, url: string): string | undefined {
  if (!spec.terminateTls || !url) return undefined;
  const host = new URL(url).hostname;
  const cert = new X509Certificate(spec.terminateTls.cert);
  if (cert.checkHost(host)) return undefined;
  const named = spec.domain || spec.hostname || spec.subdomain;
  const why = named ? '' : ' (no --domain was given, so the edge assigned a random name)';
  return `the certificate does not cover ${host}${why}; clients will refuse it. Pass --domain with a name the certificate covers`;
}
