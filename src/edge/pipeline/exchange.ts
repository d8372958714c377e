/**
 * What HTTP modules see of one request: who sent it, where it goes, and the ways a module may
 * act on it. A module refuses (an error page, or on a WebSocket upgrade the same page written
 * to the raw connection), changes what the service sees, or shapes the response on its way
 * back. Modules never touch configuration: they were compiled with it.
 */
import type http from 'node:http';
import type { Duplex, Transform } from 'node:stream';
import type { ErrorCode } from '../../errors/catalogue.ts';

/** Headers of a response the edge answers itself; a list value is sent as one header line each (Set-Cookie). */
export type AnswerHeaders = Readonly<Record<string, string | readonly string[]>>;

/** A user an identity module let through, by which module ("oauth") and provider ("github"). */
export interface LoggedInUser {
  module: string;
  provider: string;
  id: string;
  name: string;
  email: string;
}

/** A change to the request headers the service sees, applied after the edge's own. */
export type HeaderEdit = (headers: http.OutgoingHttpHeaders) => void;

/** A response's status and raw header list ([name, value, name, value, …]) before it is sent. */
export interface ResponseHead {
  status: number;
  headers: string[];
}

/**
 * Shapes a response on its way back: changes `head` in place and may return a transform the
 * body then flows through (compression). Shapers run innermost first: in the reverse of the
 * module order, as the chain unwinds.
 */
export type ResponseShaper = (head: ResponseHead) => Transform | undefined;

/**
 * The client's connection of a WebSocket upgrade, for a module that answers the upgrade at the
 * edge instead of sending it on (the WebSocket-to-TCP converter).
 */
export interface UpgradeConnection {
  /** The client's connection, taken over from the HTTP server. */
  readonly socket: Duplex;
  /** Bytes the client sent after the request head. */
  readonly head: Buffer;
  /**
   * Opens a raw byte stream (proto tcp) to the target: a tunnel stream, or a connection to a
   * static backend's address. Undefined when none could be opened: the client has then been
   * answered with the error page.
   */
  openUpstream(): Promise<Duplex | undefined>;
  /** Runs the modules' response shapers on an answer the edge gives the upgrade itself (its 101). */
  shapeAnswer(head: ResponseHead): void;
}

export interface ModuleExchange {
  readonly req: http.IncomingMessage;
  readonly requestId: string;
  /** The client's IP address (IPv4-mapped IPv6 shown as IPv4). */
  readonly clientIp: string;
  readonly scheme: 'http' | 'https';
  /** The route or agent endpoint serving the request (its route or tunnel id: identity sessions are bound to it). */
  readonly endpointId: string;
  /** The `ep_…` id of the endpoint serving the request, as `/endpoints` lists it (`${endpoint.id}`). */
  readonly publicEndpointId: string;
  /** The response of a plain request; undefined for a WebSocket upgrade. */
  readonly res: http.ServerResponse | undefined;
  /** The connection of a WebSocket upgrade; undefined for a plain request. */
  readonly upgrade: UpgradeConnection | undefined;
  /**
   * Who an identity module logged in, for later modules (request header variables `oidc.user.*`, `oauth.user.*`);
   * undefined until one has.
   */
  identity: LoggedInUser | undefined;
  /** Answers the request with the error page of `code` (and `headers`); the backend is not called. */
  refuse(code: ErrorCode, headers?: AnswerHeaders): void;
  /**
   * Answers the request at the edge with `status`, `headers` and a small `body` (a login
   * redirect); the backend is not called.
   */
  answer(status: number, headers: AnswerHeaders, body?: string): void;
  editUpstreamHeaders(edit: HeaderEdit): void;
  shapeResponse(shaper: ResponseShaper): void;
  /** Replaces the request body the service gets (a module that had to read it whole). */
  replaceBody(body: Buffer): void;
}

/** What a module chain collects on a request for the backend: edits, shapers, a read body. */
export interface ExchangeEffects {
  upstreamEdits?: HeaderEdit[];
  responseShapers?: ResponseShaper[];
  body?: Buffer;
}
