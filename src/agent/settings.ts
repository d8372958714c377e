/**
 * Where the agent's connection settings come from, in order: explicit options (CLI flags or
 * forward() arguments), then the environment (PORTICO_AUTHTOKEN, PORTICO_SERVER_ADDR), then the
 * YAML config file, then the local edge's `bootstrap.json` in defaultDataDir().
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { bootstrapPath, defaultAgentConfigPath, defaultDataDir } from '../bootstrap/paths.ts';
import type { Bootstrap } from '../bootstrap/paths.ts';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { readAgentConfig } from './config-file.ts';
import type { AgentConfigFile } from './config-file.ts';
import { joinHostPort, splitHostPort } from './addr.ts';

export interface SettingsOptions {
  authtoken?: string;
  /** Edge agent-ingress address, `host:port` (port default 443). */
  serverAddr?: string;
  /** CA PEM that replaces the system roots for the edge's certificate. */
  caCert?: string | Buffer;
  /** Path to a CA PEM file; same effect as caCert. */
  caCertPath?: string;
  region?: string;
  /** The YAML config file. Default defaultAgentConfigPath(env). */
  configPath?: string;
  /** An already-read config file; skips reading configPath. */
  config?: AgentConfigFile;
  /** Where bootstrap.json is looked for. Default defaultDataDir(env). */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}

export type SettingSource = 'option' | 'env' | 'config' | 'bootstrap' | 'none';

export interface AgentSettings {
  serverAddr: string;
  /** "" when none was found: the edge then answers ERR_AUTHTOKEN_MISSING. */
  authtoken: string;
  /** Trust anchors for tls.connect's `ca`; undefined means the system roots. */
  ca?: Array<string | Buffer>;
  region?: string;
  sources: { serverAddr: SettingSource; authtoken: SettingSource; ca: SettingSource };
  /** The files consulted: the YAML config file and the local edge's bootstrap.json (either may not exist). */
  files: { config: string; bootstrap: string };
}

/** Resolves every setting; throws ERR_AGENT_CONFIG when no edge address can be found. */
export async function resolveSettings(options: SettingsOptions = {}): Promise<AgentSettings> {
  const env = options.env ?? process.env;
  const configPath = options.configPath ?? defaultAgentConfigPath(env);
  const config = options.config ?? (await readAgentConfig(configPath));
  const dataDir = options.dataDir ?? defaultDataDir(env);
  const bootstrap = await readBootstrap(dataDir);
  const server = pick<string>([
    ['option', options.serverAddr],
    ['env', env.PORTICO_SERVER_ADDR],
    ['config', config.server_addr],
    ['bootstrap', bootstrap?.agent_addr ? dialableAddr(bootstrap.agent_addr) : undefined],
  ]);
  if (!server) {
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      `no edge address: pass --server-addr, set PORTICO_SERVER_ADDR, set server_addr in ${configPath}, or start \`portico edge\` on this machine`,
    );
  }
  const token = pick<string>([
    ['option', options.authtoken],
    ['env', env.PORTICO_AUTHTOKEN],
    ['config', config.authtoken],
    ['bootstrap', bootstrap?.authtoken],
  ]);
  const ca = await resolveCa(options, config, configPath, bootstrap);
  const region = options.region || config.region || undefined;
  return {
    serverAddr: server.value,
    authtoken: token?.value ?? '',
    ...(ca.ca ? { ca: ca.ca } : {}),
    ...(region ? { region } : {}),
    sources: { serverAddr: server.source, authtoken: token?.source ?? 'none', ca: ca.source },
    files: { config: configPath, bootstrap: bootstrapPath(dataDir) },
  };
}

/**
 * An explicit CA (option or config file) replaces the system roots, as in the official SDKs. The
 * bootstrap CA is only added to the system roots, so that --server-addr pointing at a publicly
 * trusted edge still works on a machine that also runs a local edge.
 */
async function resolveCa(
  options: SettingsOptions,
  config: AgentConfigFile,
  configPath: string,
  bootstrap: Bootstrap | undefined,
): Promise<{ ca?: Array<string | Buffer>; source: SettingSource }> {
  if (options.caCert) return { ca: [options.caCert], source: 'option' };
  if (options.caCertPath) return { ca: [await readPem(resolve(options.caCertPath))], source: 'option' };
  if (config.ca_cert) return { ca: [await readPem(resolve(dirname(configPath), config.ca_cert))], source: 'config' };
  if (bootstrap?.ca_cert) {
    const pem = await readPem(bootstrap.ca_cert).catch(() => undefined);
    if (pem) return { ca: [...rootCertificates, pem], source: 'bootstrap' };
  }
  return { source: 'none' };
}

/** Reads `<dataDir>/bootstrap.json`; undefined when absent. */
export async function readBootstrap(dataDir: string): Promise<Bootstrap | undefined> {
  const path = bootstrapPath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as Bootstrap;
  } catch (err) {
    throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${path} is not valid JSON`, { cause: err });
  }
}

/** A bound address such as `:4443`, `0.0.0.0:4443` or `[::]:4443` is dialled on localhost. */
export function dialableAddr(addr: string): string {
  const bare = addr.startsWith(':') ? `localhost${addr}` : addr;
  const { host, port } = splitHostPort(bare, 443);
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  return joinHostPort(wildcard ? 'localhost' : host, port);
}

async function readPem(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      `cannot read CA certificate ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function pick<T>(candidates: Array<[SettingSource, T | undefined]>): { source: SettingSource; value: T } | undefined {
  for (const [source, value] of candidates) if (value !== undefined && value !== '') return { source, value };
  return undefined;
}
