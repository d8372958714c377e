/** The public pieces of Portico's muxado implementation and the agent protocol's messages. */
export * from './messages.ts';
export {
  Flag,
  FrameReader,
  FrameType,
  MuxErrorCode,
  muxErrorName,
  HEADER_SIZE,
  MAX_PAYLOAD,
  MAX_STREAM_ID,
  MAX_WINDOW_INCREMENT,
} from './frame.ts';
export { decodeGoAway, encodeData, encodeGoAway, encodeHeader, encodeRst, encodeWndInc, writeHeader } from './frame.ts';
export type { Frame, GoAway } from './frame.ts';
export { MuxStream, STREAM_HIGH_WATER_MARK } from './stream.ts';
export { MuxSession } from './session.ts';
export { collectTransferBuffers } from './transfer-buffers.ts';
export type { MuxCloseInfo, MuxSessionEvents, MuxSessionOptions } from './session.ts';
export { readJson, rpcCall, writeJsonAndEnd } from './rpc.ts';
export type { ReadJsonOptions } from './rpc.ts';
export { encodeProxyHeader, readProxyHeader } from './proxy-header.ts';
export { echoHeartbeats, startHeartbeat } from './heartbeat.ts';
export type { HeartbeatOptions } from './heartbeat.ts';
