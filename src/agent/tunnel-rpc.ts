/** The tunnel RPCs on a live muxado session: Bind / StartTunnelWithLabel, and Unbind. */
import { StreamType } from '../protocol/messages.ts';
import type { JsonObject } from '../protocol/messages.ts';
import { rpcCall } from '../protocol/rpc.ts';
import type { MuxSession } from '../protocol/session.ts';
import type { ListenSpec } from './listener.ts';
import { bindRequest, failOnError, labelRequest, parseBindResponse, parseLabelResponse } from './tunnel-messages.ts';

export interface TunnelRpcOptions {
  /** Milliseconds to wait for the edge's reply. */
  timeoutMs: number;
  /** Sent as `Region` when set. */
  region?: string;
}

/**
 * Binds an endpoint (Bind) or a labeled tunnel (StartTunnelWithLabel). For a rebind pass the old
 * `id` and the previous response's `opts`; labeled tunnels always get a fresh id.
 */
export async function bindTunnel(
  mux: MuxSession,
  spec: ListenSpec,
  id: string,
  opts: JsonObject | undefined,
  o: TunnelRpcOptions,
): Promise<{ id: string; url: string; opts?: JsonObject }> {
  if (spec.labels) {
    const reply = await rpcCall(mux, StreamType.StartTunnelWithLabel, labelRequest(spec, o.region), {
      timeoutMs: o.timeoutMs,
    });
    return { id: parseLabelResponse(reply, spec).id, url: '' };
  }
  const reply = await rpcCall(mux, StreamType.Bind, bindRequest(spec, id, opts, o.region), { timeoutMs: o.timeoutMs });
  const bound = parseBindResponse(reply, spec);
  return { id: bound.id || id, url: bound.url, opts: bound.opts };
}

/** Unbind (type 2) `{Id}`; rejects when the edge answers with an `Error`. */
export async function unbindTunnel(mux: MuxSession, id: string, o: TunnelRpcOptions): Promise<void> {
  failOnError(await rpcCall(mux, StreamType.Unbind, { Id: id }, { timeoutMs: o.timeoutMs }), `cannot unbind ${id}`);
}
