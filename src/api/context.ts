import type http from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { Logger } from '../log/logger.ts';
import type { MetricsEndpoint } from '../metrics/scrape.ts';
import type { AccountRestrictions } from '../config/ip-rules/account-restrictions.ts';
import type { Account } from '../store/accounts.ts';
import type { Store } from '../store/store.ts';
import type { LiveAgents } from './live-agents.ts';
import type { ApiPublicAddress } from './public-origin.ts';

/** What the API is built from. */
export interface ApiDeps {
  store: Store;
  /** The agents connected right now: tunnel sessions and tunnels, names and ports in use, commands. */
  live: LiveAgents;
  /**
   * The accounts' IP restrictions in force (the data plane's compiled configuration): a request
   * whose address the account's `api` restrictions refuse gets 403 ERR_NGROK_1212. Absent: none.
   */
  restrictions?: () => AccountRestrictions;
  /** Base domain of the edge: generated hostnames for edges live under it. */
  domain: string;
  /** This edge's region, recorded on reserved addresses. */
  region: string;
  /** Host that TCP addresses are handed out on, e.g. "localhost". */
  tcpHost: string;
  /** The port of the public HTTPS listener, which HTTPS and TLS edges' hostports (always :443) are served on. Default 443. */
  httpsPort?: () => number;
  /** Picks a free port of --tcp-ports for a new reserved address, skipping `taken` ones. */
  allocateTcpPort(taken: (port: number) => Promise<boolean>): Promise<number>;
  /** 32 bytes: the AES-256-GCM key private keys are encrypted with at rest (tls-certificates/key-encryption.ts). */
  encryptionKey: Buffer;
  logger: Logger;
  /** Options of the Node HTTP server the API runs on (timeouts). Default Node's and Fastify's. */
  httpServer?: http.ServerOptions;
  /**
   * Why the data plane could not compile this record (its previous version stays live), or
   * undefined. Reported on reads as `config_error`, a Portico extension.
   */
  configError?: (id: string) => string | undefined;
  /** The API's public address behind a reverse proxy (--api-public-url, --api-trusted-proxies). */
  publicAddress?: ApiPublicAddress;
  /** Identity modules: whether a SAML `idp_metadata_url` may be plain http (tests); else https only. */
  identity?: { allowHttpIdentityProviders: boolean };
  /** Served at `GET /metrics` (Prometheus text format), without an API key; none: no such path. */
  metrics?: MetricsEndpoint;
  /**
   * Receives an audit event after each committed change (`ip_policy_created.v0` and so on, with
   * the resource's read shape). Must return at once and never throw: delivery is the event
   * dispatcher's business (src/api/audit.ts). Absent: nothing is reported.
   */
  audit?: (accountId: string, type: string, object: Record<string, unknown>) => void;
}

/** One request's view: who is asking, and the deps. */
export interface ApiContext {
  req: FastifyRequest;
  account: Account;
  deps: ApiDeps;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook for every authenticated request. */
    account: Account;
    /** The API's public base URL for this request (public-origin.ts); set by the first onRequest hook. */
    publicOrigin: string;
  }
}

export function contextOf(req: FastifyRequest, deps: ApiDeps): ApiContext {
  return { req, account: req.account, deps };
}
