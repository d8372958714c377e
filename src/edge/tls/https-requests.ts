/**
 * The TLS side of HTTPS requests: the `Portico-Client-Cert-Subject` header (removed from what
 * the client sent, set from the verified client certificate), and a 421 for a request whose
 * Host belongs to an edge or agent endpoint with other TLS settings than the name the connection
 * was made for (a client must not skip mutual TLS by sending another name's SNI).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../../errors/catalogue.ts';
import { sendErrorPage, writeRawErrorPage } from '../proxy/error-page.ts';
import { requestHost } from '../proxy/headers.ts';
import type { HttpProxy } from '../proxy/http-proxy.ts';
import { resolveHttpsHost, tlsPolicyOf } from '../routing/resolve-host.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { TunnelRegistry } from '../tunnels/registry.ts';
import { clientCertSubjectHeader, connectionTlsOf } from './client-auth.ts';
import { defaultTlsPolicy } from '../../config/compile/tls-policy.ts';
import { newRequestId } from '../../log/request-id.ts';

export interface HttpsRequestsOptions {
  snapshot: () => Snapshot;
  registry: TunnelRegistry;
}

/** Wraps the public HTTPS proxy: checks each request against its connection's TLS, then sets the header. */
export function withConnectionTls(proxy: HttpProxy, options: HttpsRequestsOptions): HttpProxy {
  return {
    request(req, res) {
      const refusal = admit(req, options);
      if (refusal) return sendErrorPage(res, refusal, newRequestId(), requestHost(req));
      proxy.request(req, res);
    },
    upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer) {
      const refusal = admit(req, options);
      if (refusal) return writeRawErrorPage(socket, refusal, newRequestId());
      proxy.upgrade(req, socket, head);
    },
  };
}

/** Wraps a proxy that never terminates mutual TLS (the plain HTTP port): only removes the header. */
export function withoutClientCertHeader(proxy: HttpProxy): HttpProxy {
  return {
    request(req, res) {
      delete req.headers[clientCertSubjectHeader];
      proxy.request(req, res);
    },
    upgrade(req, socket, head) {
      delete req.headers[clientCertSubjectHeader];
      proxy.upgrade(req, socket, head);
    },
  };
}

/** Undefined when the request may go on (the header then set); else the error to answer. */
function admit(req: http.IncomingMessage, options: HttpsRequestsOptions): ErrorCode | undefined {
  delete req.headers[clientCertSubjectHeader];
  const conn = connectionTlsOf(req.socket);
  const target = resolveHttpsHost(requestHost(req), options.snapshot(), options.registry);
  // Without SNI only agent endpoints are served by Host: an edge's TLS settings need its name.
  if (target?.kind === 'edge' && conn?.serverName === undefined) return ErrorCode.ERR_EDGE_NO_SNI;
  const wanted = tlsPolicyOf(target);
  if (wanted.key !== (conn?.policy ?? defaultTlsPolicy).key) return ErrorCode.ERR_EDGE_TLS_MISDIRECTED;
  if (wanted.clientCaPem !== undefined && !conn?.clientSubject) return ErrorCode.ERR_EDGE_TLS_MISDIRECTED;
  if (conn?.clientSubject !== undefined) req.headers[clientCertSubjectHeader] = conn.clientSubject;
  return undefined;
}
