/** Portico's agent SDK: connect to an edge, bind tunnels, forward traffic to local services. */
export { forward, listenSpecFor } from './forward.ts';
export type { ForwardOptions, Forwarding } from './forward.ts';
export { AgentSession } from './session.ts';
export type { AgentSessionEvents, AgentSessionOptions, DisconnectInfo } from './session.ts';
export { Listener } from './listener.ts';
export type { ListenSpec, StopReason } from './listener.ts';
export { resolveSettings, readBootstrap } from './settings.ts';
export type { AgentSettings, SettingsOptions, SettingSource } from './settings.ts';
export { readAgentConfig, parseAgentConfig, saveAuthtoken } from './config-file.ts';
export type { AgentConfigFile, TunnelConfig } from './config-file.ts';
export { tunnelSpecs } from './tunnels.ts';
export { forwardsToFor, upstreamTarget } from './addr.ts';
export { parseLabels } from './labels.ts';
export { backoffDelay, backoffCeiling } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
export { EdgeRpcError } from './edge-error.ts';
export { agentVersion } from './version.ts';
