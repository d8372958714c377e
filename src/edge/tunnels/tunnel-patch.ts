/**
 * What a PatchTunnelState (ngrok-go v2's endpoint Update, docs/protocol.md §6.5) may change on a
 * live tunnel: its metadata, name and description. The rest is refused unless it leaves the
 * tunnel as it is, so an agent never believes a change the edge did not make. A field absent or
 * null is unchanged.
 */
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { Json, PatchTunnelStateRequest } from '../../protocol/messages.ts';
import { checkEndpointText } from './bind-checks.ts';
import type { Tunnel } from './tunnel.ts';

/** Applies `patch` to `tunnel` (pooled or not), after refusing what cannot change. */
export function applyPatch(tunnel: Tunnel, pooled: boolean, patch: PatchTunnelStateRequest): void {
  checkPatch(patch, pooled);
  const { metadata, name, description } = patch;
  if (typeof metadata === 'string') tunnel.metadata = metadata;
  if (typeof name === 'string') tunnel.name = name;
  if (typeof description === 'string') tunnel.description = description;
  if ([metadata, name, description].some((v) => typeof v === 'string')) tunnel.updatedAt = new Date();
}

/** Refuses what `patch` asks that the edge cannot apply to a tunnel pooled (`pooled`) or not. */
function checkPatch(patch: PatchTunnelStateRequest, pooled: boolean): void {
  typed('Metadata', patch.metadata, 'string');
  if (typed('TrafficPolicy', patch.trafficPolicy, 'string'))
    throw new PorticoError(ErrorCode.ERR_OPTION_UNSUPPORTED, 'TrafficPolicy: Traffic Policy is not supported yet');
  typed('Name', patch.name, 'string');
  typed('Description', patch.description, 'string');
  checkEndpointText({
    name: typeof patch.name === 'string' ? patch.name : '',
    description: typeof patch.description === 'string' ? patch.description : '',
  });
  typed('PoolingEnabled', patch.poolingEnabled, 'boolean');
  if (typeof patch.poolingEnabled === 'boolean' && patch.poolingEnabled !== pooled)
    throw new PorticoError(
      ErrorCode.ERR_OPTION_UNSUPPORTED,
      `PoolingEnabled: a live tunnel's pooling cannot change (it is ${pooled}); close the endpoint and bind it again`,
    );
}

/** Checks `value`'s type; true when it is set (not absent, null, "" or false). */
function typed(key: string, value: Json | undefined, type: 'string' | 'boolean'): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== type)
    throw new PorticoError(
      ErrorCode.ERR_AGENT_OPTION_INVALID,
      `${key}: must be a ${type}, got ${JSON.stringify(value)}`,
    );
  return value !== '' && value !== false;
}
