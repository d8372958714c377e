import { arch, hostname, platform } from 'node:os';
import { ErrorCode } from '../errors/catalogue.ts';
import { field } from '../protocol/messages.ts';
import type { JsonObject } from '../protocol/messages.ts';
import { EdgeRpcError } from './edge-error.ts';
import { agentVersion, userAgent } from './version.ts';

/** What a reconnecting agent sends back so the edge can resume its session. */
export interface ResumeState {
  /** The previous AuthResp.ClientId; "" on first connect. */
  clientId: string;
  /** The previous AuthResp.Extra.Cookie; "" on first connect. */
  cookie: string;
}

export interface AuthParams {
  authtoken: string;
  /** Session metadata, opaque to the edge. */
  metadata: string;
  heartbeatIntervalMs: number;
  heartbeatToleranceMs: number;
  resume: ResumeState;
}

export interface AuthResult extends ResumeState {
  region: string;
  accountName: string;
  banner: string;
}

const nsPerMs = 1_000_000;

/** The Auth (type 0) request body, field for field as docs/protocol.md §6.1 lists it. */
export function authRequest(p: AuthParams): JsonObject {
  return {
    Version: ['3', '2'],
    ClientId: p.resume.clientId,
    Extra: {
      OS: platform(),
      Arch: rustArch(arch()),
      AuthToken: p.authtoken,
      Version: agentVersion,
      Hostname: hostname(),
      UserAgent: userAgent,
      Metadata: p.metadata,
      Cookie: p.resume.cookie,
      HeartbeatInterval: p.heartbeatIntervalMs * nsPerMs,
      HeartbeatTolerance: p.heartbeatToleranceMs * nsPerMs,
      UpdateUnsupportedError: 'update is not supported by the portico agent',
      StopUnsupportedError: '',
      RestartUnsupportedError: '',
      ClientType: 'portico',
    },
  };
}

/** Reads AuthResp; a non-empty `Error` throws an EdgeRpcError carrying the edge's text and code. */
export function parseAuthResponse(raw: unknown): AuthResult {
  const error = text(raw, 'Error');
  if (error) throw new EdgeRpcError(ErrorCode.ERR_AGENT_CONNECT, error, 'authentication failed');
  const extra = field(raw, 'Extra');
  return {
    clientId: text(raw, 'ClientId'),
    cookie: text(extra, 'Cookie'),
    region: text(extra, 'Region'),
    accountName: text(extra, 'AccountName'),
    banner: text(extra, 'Banner'),
  };
}

/** Node's arch names spelled the way the Rust SDK reports them (`x86_64`, `aarch64`). */
function rustArch(nodeArch: string): string {
  return ({ x64: 'x86_64', arm64: 'aarch64', ia32: 'x86', arm: 'arm' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

function text(obj: unknown, key: string): string {
  const v = field(obj, key);
  return typeof v === 'string' ? v : '';
}
