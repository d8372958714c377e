import { homedir } from 'node:os';
import { join } from 'node:path';

/** The edge's data directory unless --data-dir says otherwise: $PORTICO_DATA_DIR, else ~/.portico. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PORTICO_DATA_DIR || join(homedir(), '.portico');
}

/** The agent's YAML config file: $PORTICO_CONFIG, else $XDG_CONFIG_HOME/portico/portico.yml. */
export function defaultAgentConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTICO_CONFIG) return env.PORTICO_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'portico', 'portico.yml');
}

/** Written by the edge once all listeners accept; read by agents and scripts. */
export interface Bootstrap {
  api_url: string;
  api_key: string;
  authtoken: string;
  agent_addr: string;
  https_addr: string;
  http_addr: string;
  domain: string;
  region: string;
  /** Path to the local CA's PEM. */
  ca_cert: string;
}

export function bootstrapPath(dataDir: string): string {
  return join(dataDir, 'bootstrap.json');
}
