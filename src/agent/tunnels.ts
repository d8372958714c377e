/** Named tunnels from the config file, turned into ListenSpecs (`portico start web api`, `--all`). */
import { PorticoError } from '../errors/catalogue.ts';
import { forwardsToFor } from './addr.ts';
import type { AgentConfigFile, TunnelConfig } from './config-file.ts';
import { parseLabels } from './labels.ts';
import type { ListenSpec } from './listener.ts';
import { readTerminateTls } from './terminate-tls.ts';

/** The specs of `names` (or of every tunnel with `all`), in the order given. */
export function tunnelSpecs(config: AgentConfigFile, names: readonly string[], all: boolean): ListenSpec[] {
  const chosen = all ? Object.keys(config.tunnels) : [...names];
  if (chosen.length === 0) {
    const known = Object.keys(config.tunnels).join(', ') || 'none defined';
    throw new PorticoError('ERR_AGENT_CONFIG', `name the tunnels to start, or pass --all (tunnels: ${known})`);
  }
  return chosen.map((name) => {
    const tunnel = config.tunnels[name];
    if (!tunnel) throw new PorticoError('ERR_AGENT_CONFIG', `no tunnel named "${name}" in the config file`);
    return tunnelSpec(name, tunnel);
  });
}

export function tunnelSpec(name: string, t: TunnelConfig): ListenSpec {
  const labels = t.labels ? parseLabels(t.labels, `tunnels.${name}.labels`) : undefined;
  const proto = t.proto ?? 'http';
  const spec: ListenSpec = { name, proto, forwardsTo: forwardsToFor(t.addr, labels ? 'labeled' : proto) };
  if (labels) spec.labels = labels;
  if (t.scheme) spec.scheme = t.scheme;
  if (t.domain) spec.domain = t.domain;
  if (t.hostname) spec.hostname = t.hostname;
  if (t.subdomain) spec.subdomain = t.subdomain;
  if (t.remote_addr) spec.remoteAddr = t.remote_addr;
  if (t.metadata) spec.metadata = t.metadata;
  if (t.pooling_enabled !== undefined) spec.poolingEnabled = t.pooling_enabled;
  if (t.crt || t.key) spec.terminateTls = readTerminateTls(t.crt, t.key, `tunnels.${name}.crt/key`);
  return spec;
}
