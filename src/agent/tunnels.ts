/** Named tunnels from the config file, turned into ListenSpecs (`portico start web api`, `--all`). */
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { forwardsToFor } from './addr.ts';
import type { AgentConfigFile, TunnelConfig } from './config-file.ts';
import { parseLabels } from './labels.ts';
import type { ListenSpec } from './listener.ts';
import { readTerminateTls } from './terminate-tls.ts';
import { checkSpec } from './tunnel-messages.ts';

/**
 * The smallest config file `portico start --all` starts: one HTTP tunnel. The edge address and
 * authtoken come from the local edge's bootstrap.json when the file does not set them.
 */
export const exampleConfig = `tunnels:
  web:
    proto: http
    addr: 3000
`;

/** `portico start` found no tunnel to start; `example` is a config file that would work. */
export class NoTunnelsError extends PorticoError {
  readonly example = exampleConfig;

  constructor(detail: string) {
    super(ErrorCode.ERR_AGENT_CONFIG, detail);
  }
}

/** The specs of `names` (or of every tunnel with `all`), in the order given. */
export function tunnelSpecs(config: AgentConfigFile, names: readonly string[], all: boolean): ListenSpec[] {
  const file = config.file?.path ?? 'the config file';
  const defined = Object.keys(config.tunnels);
  if (defined.length === 0) {
    if (config.file && !config.file.found) {
      throw new NoTunnelsError(
        `no config file at ${file}: \`portico start\` starts the tunnels defined there (--config or PORTICO_CONFIG names another file)`,
      );
    }
    throw new NoTunnelsError(`${file} defines no tunnels: \`portico start\` starts the tunnels under its tunnels: key`);
  }
  if (all && names.length)
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      `--all starts every tunnel in ${file}: name tunnels (${names.join(', ')}) or pass --all, not both`,
    );
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `the tunnel "${twice}" is named twice`);
  const chosen = all ? defined : [...names];
  if (chosen.length === 0)
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      `name the tunnels to start, or pass --all (tunnels in ${file}: ${defined.join(', ')})`,
    );
  return chosen.map((name) => {
    const tunnel = config.tunnels[name];
    if (!tunnel)
      throw new PorticoError(
        ErrorCode.ERR_AGENT_CONFIG,
        `no tunnel named "${name}" in ${file} (tunnels: ${defined.join(', ') || 'none'})`,
      );
    return tunnelSpec(name, tunnel);
  });
}

export function tunnelSpec(name: string, t: TunnelConfig): ListenSpec {
  const labels = t.labels ? parseLabels(t.labels, `tunnels.${name}.labels`) : undefined;
  const proto = t.proto ?? 'http';
  const forwardsTo = forwardsToFor(t.addr, labels ? 'labeled' : proto, `tunnels.${name}.addr`);
  const spec: ListenSpec = { name, proto, forwardsTo };
  if (labels) spec.labels = labels;
  if (t.scheme) spec.scheme = t.scheme;
  if (t.domain) spec.domain = t.domain;
  if (t.hostname) spec.hostname = t.hostname;
  if (t.subdomain) spec.subdomain = t.subdomain;
  if (t.remote_addr) spec.remoteAddr = t.remote_addr;
  if (t.metadata) spec.metadata = t.metadata;
  if (t.description) spec.description = t.description;
  if (t.url) spec.url = t.url;
  if (t.pooling_enabled !== undefined) spec.poolingEnabled = t.pooling_enabled;
  if (t.inspect !== undefined) spec.inspect = t.inspect;
  if (t.modules) spec.modules = t.modules;
  if (t.crt || t.key) spec.terminateTls = readTerminateTls(t.crt, t.key, `tunnels.${name}.crt/key`);
  checkSpec(spec);
  return spec;
}
