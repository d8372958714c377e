/** The two kinds of ModuleExchange: a plain request (with its response) and a WebSocket upgrade. */
import type http from 'node:http';
import type { ErrorCode } from '../../errors/catalogue.ts';
import { sendAnswer, sendErrorPage, writeRawAnswer, writeRawErrorPage } from '../proxy/error-page.ts';
import type { HttpExchange } from '../proxy/forward-http.ts';
import { clientIpOf } from '../proxy/client-addr.ts';
import type {
  AnswerHeaders,
  ExchangeEffects,
  HeaderEdit,
  LoggedInUser,
  ModuleExchange,
  ResponseShaper,
  UpgradeConnection,
} from './exchange.ts';

/** The endpoint serving an exchange: its route or tunnel id, and its `ep_…` id (exchange.ts). */
export type EndpointIds = Pick<ModuleExchange, 'endpointId' | 'publicEndpointId'>;

/** A plain request: what modules do is collected in `ex.effects` for the backend. */
export class RequestModuleExchange implements ModuleExchange {
  readonly clientIp: string;
  readonly upgrade = undefined;
  identity: LoggedInUser | undefined = undefined;
  private readonly effects: ExchangeEffects;

  readonly endpointId: string;
  readonly publicEndpointId: string;

  constructor(
    private readonly ex: HttpExchange,
    ids: EndpointIds,
  ) {
    this.clientIp = clientIpOf(ex.req.socket);
    this.endpointId = ids.endpointId;
    this.publicEndpointId = ids.publicEndpointId;
    this.effects = ex.effects ??= {};
  }

  get req(): http.IncomingMessage {
    return this.ex.req;
  }
  get res(): http.ServerResponse {
    return this.ex.res;
  }
  get requestId(): string {
    return this.ex.requestId;
  }
  get scheme(): 'http' | 'https' {
    return this.ex.scheme;
  }

  refuse(code: ErrorCode, headers?: AnswerHeaders): void {
    sendErrorPage(this.ex.res, code, this.ex.requestId, undefined, headers);
  }
  answer(status: number, headers: AnswerHeaders, body = ''): void {
    sendAnswer(this.ex.res, status, headers, body);
  }
  editUpstreamHeaders(edit: HeaderEdit): void {
    (this.effects.upstreamEdits ??= []).push(edit);
  }
  shapeResponse(shaper: ResponseShaper): void {
    (this.effects.responseShapers ??= []).push(shaper);
  }
  replaceBody(body: Buffer): void {
    this.effects.body = body;
  }
}

/**
 * A WebSocket upgrade: refusals are written to the raw connection; the service's answer (101, or
 * a refusal relayed as is) goes through the modules' response shapers.
 */
export class UpgradeModuleExchange implements ModuleExchange {
  readonly clientIp: string;
  readonly res = undefined;
  identity: LoggedInUser | undefined = undefined;
  /** Header edits for the upgrade request sent on to the service. */
  readonly upstreamEdits: HeaderEdit[] = [];
  /** The modules' shapers of the service's answer. */
  readonly responseShapers: ResponseShaper[] = [];
  readonly endpointId: string;
  readonly publicEndpointId: string;

  constructor(
    readonly req: http.IncomingMessage,
    readonly upgrade: UpgradeConnection,
    readonly scheme: 'http' | 'https',
    readonly requestId: string,
    ids: EndpointIds,
  ) {
    this.clientIp = clientIpOf(req.socket);
    this.endpointId = ids.endpointId;
    this.publicEndpointId = ids.publicEndpointId;
  }

  refuse(code: ErrorCode, headers?: AnswerHeaders): void {
    writeRawErrorPage(this.upgrade.socket, code, this.requestId, undefined, headers);
  }
  answer(status: number, headers: AnswerHeaders, body = ''): void {
    writeRawAnswer(this.upgrade.socket, status, headers, body);
  }
  editUpstreamHeaders(edit: HeaderEdit): void {
    this.upstreamEdits.push(edit);
  }
  shapeResponse(shaper: ResponseShaper): void {
    this.responseShapers.push(shaper);
  }
  replaceBody(): void {}
}
