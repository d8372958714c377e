import { Type } from 'typebox';
import { defineModule, Enabled, enabledOf, type StoredModule } from './module-spec.ts';

/** `websocket_tcp_converter` (extra): carry WebSocket messages to a TCP upstream. */
export const websocketTcpConverterModule = defineModule({
  name: 'websocket_tcp_converter',
  schema: Type.Object({ enabled: Enabled }),
  normalize: (body): StoredModule => ({ enabled: enabledOf(body) }),
});
