/**
 * The options of a MuxSession, with their defaults, and what it reports when it ends.
 */
import type { PorticoError } from '../errors/catalogue.ts';
import { MAX_PAYLOAD, MAX_STREAM_ID, MAX_WINDOW_INCREMENT } from './frame.ts';
import type { MuxStream } from './stream.ts';

export interface MuxSessionOptions {
  /** 'client' (the agent: odd stream ids from 3) or 'server' (the edge: even stream ids from 2). */
  role: 'client' | 'server';
  /** Initial window of each direction of each stream, in bytes. Default 262144, as the SDKs hard-code it. */
  windowSize?: number;
  /**
   * Largest receive window a stream grows to, in bytes. A stream starts at windowSize; while its
   * reader keeps up and the peer has used all its credit (the window, not the reader, limits
   * it), each grant doubles it up to this. Default 4 MiB; windowSize turns growth off.
   */
  maxWindowSize?: number;
  /** Bytes of growth beyond windowSize all streams of a session may hold together. Default 16 MiB. */
  windowGrowthBudget?: number;
  /** Largest DATA payload this side sends, in bytes. Default 65536. */
  maxFrameSize?: number;
  /** Peer-opened streams open at once; a SYN beyond this is answered RST STREAM_REFUSED. Default 512. */
  maxIncomingStreams?: number;
  /** Streams this side may have open at once; openStream() beyond this throws. Default 500. */
  maxOutgoingStreams?: number;
}

export interface MuxCloseInfo {
  /** True when the peer ended the session (GOAWAY, EOF or a socket error). */
  remote: boolean;
  /** A MuxErrorCode: the GOAWAY code sent or received, PEER_EOF for a lost connection. */
  code: number;
  message: string;
  /** Set when a protocol violation ended the session. */
  error?: PorticoError;
}

export type MuxSessionEvents = {
  stream: [stream: MuxStream];
  /** The peer opened a stream past maxIncomingStreams; it was answered RST STREAM_REFUSED. */
  refused: [streamId: number];
  close: [info: MuxCloseInfo];
};

/** MuxSessionOptions with every default filled in and every value checked. */
export type ResolvedSessionOptions = Required<MuxSessionOptions>;

/** Fills in defaults; throws RangeError on a value out of range. */
export function resolveSessionOptions(options: MuxSessionOptions): ResolvedSessionOptions {
  if (options.role !== 'client' && options.role !== 'server')
    throw new RangeError(`MuxSession role must be 'client' or 'server'`);
  const windowSize = checkInt('windowSize', options.windowSize ?? 0x40000, 4, MAX_WINDOW_INCREMENT);
  return {
    role: options.role,
    windowSize,
    maxWindowSize: checkInt(
      'maxWindowSize',
      options.maxWindowSize ?? Math.max(windowSize, 4 * 1024 * 1024),
      windowSize,
      MAX_WINDOW_INCREMENT,
    ),
    windowGrowthBudget: checkInt(
      'windowGrowthBudget',
      options.windowGrowthBudget ?? 16 * 1024 * 1024,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    maxFrameSize: checkInt('maxFrameSize', options.maxFrameSize ?? 0x10000, 1, MAX_PAYLOAD),
    maxIncomingStreams: checkInt('maxIncomingStreams', options.maxIncomingStreams ?? 512, 0, MAX_STREAM_ID),
    maxOutgoingStreams: checkInt('maxOutgoingStreams', options.maxOutgoingStreams ?? 500, 0, MAX_STREAM_ID),
  };
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`MuxSession option ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
