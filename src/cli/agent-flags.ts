/** Flags shared by the agent commands (http, tcp, tls, tunnel, start) and what they turn into. */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { moduleOptionNames, type EndpointModuleOptions } from '../agent/endpoint-modules.ts';
import type { ListenSpec } from '../agent/listener.ts';
import type { SettingsOptions } from '../agent/settings.ts';
import { readTerminateTls } from '../agent/terminate-tls.ts';
import { defaultAgentConfigPath } from '../bootstrap/paths.ts';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { Level, LogFormat } from '../log/logger.ts';

export interface AgentFlags {
  authtoken?: string;
  serverAddr?: string;
  /** Path to a CA PEM for the edge's certificate. */
  caCert?: string;
  metadata?: string;
  region?: string;
  /** The YAML config file. */
  config: string;
  /** Where logs go; undefined (not given) lets chooseOutput() decide: stderr, or off under the status screen. */
  log?: 'stdout' | 'stderr' | 'false';
  logFormat: LogFormat;
  logLevel: Level;
  /** `--inspect-addr`: where the inspector and agent API listen (`host:port`), or `false` for nowhere. */
  inspectAddr?: string;
}

/** Flags of the single-endpoint commands (http, tcp, tls); the module flags are named as ngrok's agent names them. */
export interface EndpointFlags extends AgentFlags, EndpointModuleOptions {
  domain?: string;
  hostname?: string;
  subdomain?: string;
  remoteAddr?: string;
  scheme?: 'http' | 'https';
  poolingEnabled?: boolean;
  /** http and tls: path to the certificate (PEM) the agent terminates TLS with. */
  crt?: string;
  /** http and tls: path to the unencrypted PEM key of --crt. */
  key?: string;
  /** http: path to the PEM bundle of client CAs, read into `mutualTlsCa`. */
  mutualTlsCas?: string;
  /** http: `--inspect=false` keeps this tunnel's requests out of the inspector. */
  inspect?: boolean;
}

/** Adds --authtoken … --log-level to `cmd`. */
export function withAgentFlags(cmd: Command): Command {
  return cmd
    .option('--authtoken <token>', 'authtoken (default: $PORTICO_AUTHTOKEN, the config file, or the local edge)')
    .option(
      '--server-addr <host:port>',
      "edge agent address (default: $PORTICO_SERVER_ADDR, the config file, or the local edge's)",
    )
    .option('--ca-cert <path>', "CA certificate (PEM) the edge's certificate is checked against")
    .option('--metadata <text>', 'metadata, opaque to the edge')
    .option('--region <name>', 'the region the edge must serve')
    .option('--config <path>', 'agent config file', defaultAgentConfigPath())
    .addOption(
      new Option(
        '--log <target>',
        'where logs go (default: stderr; off while the status screen is on the same terminal)',
      ).choices(['stdout', 'stderr', 'false']),
    )
    .addOption(new Option('--log-format <format>', 'log line format').choices(['json', 'text']).default('text'))
    .addOption(
      new Option('--log-level <level>', 'lowest level logged')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .option(
      '--inspect-addr <host:port>',
      'where the traffic inspector and the agent API listen, or "false" for nowhere (default: the config file\'s web_addr, else 127.0.0.1:4040 or the next free port)',
    );
}

/** Adds --inspect (http): `--inspect=false` keeps the tunnel's requests out of the inspector. */
export function withInspectFlag(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--inspect [true|false]',
      "show this tunnel's requests in the traffic inspector (default true)",
    ).argParser((value: string) => {
      if (value === 'true' || value === 'false') return value === 'true';
      throw new InvalidArgumentError('write --inspect=false or --inspect=true');
    }),
  );
}

/** Adds the naming flags of http and tls endpoints. */
export function withHostnameFlags(cmd: Command): Command {
  return cmd
    .option('--domain <name>', 'the public hostname to bind')
    .option('--hostname <name>', 'the public hostname to bind (older spelling of --domain)')
    .option('--subdomain <label>', "a name under the edge's domain");
}

/** Adds --crt/--key (zero-knowledge TLS: the agent terminates TLS) to http and tls. */
export function withTerminateTlsFlags(cmd: Command): Command {
  return cmd
    .option(
      '--crt <path>',
      'certificate (PEM) the agent terminates TLS with, so the edge sees only ciphertext (needs --key)',
    )
    .option('--key <path>', 'unencrypted private key (PEM) of --crt');
}

/** Adds --cidr-allow/--cidr-deny (http, tcp, tls): the edge's IP restriction. Repeatable, or comma-separated. */
export function withCidrFlags(cmd: Command): Command {
  return cmd
    .option('--cidr-allow <cidr>', 'let in only sources in this CIDR (repeat, or separate with commas)', collectList)
    .option('--cidr-deny <cidr>', 'refuse sources in this CIDR (repeat, or separate with commas)', collectList);
}

/** Adds the HTTP module flags, applied by the edge (ngrok's agent flag names). */
export function withHttpModuleFlags(cmd: Command): Command {
  return cmd
    .option('--basic-auth <user:password>', 'ask for this username and password (repeat for several)', collect)
    .option('--compression', 'gzip responses for clients that accept it')
    .option(
      '--circuit-breaker <fraction>',
      'stop forwarding for a while when this fraction of responses are 5xx',
      fraction,
    )
    .option('--request-header-add <name:value>', 'a header the service sees added (repeat)', collect)
    .option('--request-header-remove <name>', 'a header removed before the service sees it (repeat)', collect)
    .option('--response-header-add <name:value>', 'a header the client sees added (repeat)', collect)
    .option('--response-header-remove <name>', 'a header removed before the client sees it (repeat)', collect)
    .option('--verify-webhook <provider>', 'check webhook signatures of this provider (with --verify-webhook-secret)')
    .option('--verify-webhook-secret <secret>', 'the webhook signing secret')
    .option('--ua-filter-allow <regex>', 'let in User-Agents matching this RE2 pattern (repeat)', collect)
    .option('--ua-filter-deny <regex>', 'refuse User-Agents matching this RE2 pattern (repeat)', collect)
    .option('--websocket-tcp-converter', 'convert WebSocket connections to TCP streams to the service')
    .option(
      '--host-header <rewrite|preserve|value>',
      '"rewrite": the service sees the Host of its own address; "preserve" (the default): the client\'s; else this Host',
    )
    .option('--mutual-tls-cas <file>', 'ask clients for a certificate issued by a CA of this PEM bundle (https)');
}

/** Adds the identity flags (http): OAuth and OpenID Connect, enforced by the edge. List flags repeat or take commas. */
export function withIdentityFlags(cmd: Command): Command {
  return cmd
    .option('--oauth <provider>', 'only users signed in by this OAuth provider (google, github, microsoft, facebook)')
    .option('--oauth-client-id <id>', 'client id of your OAuth application (with --oauth-client-secret)')
    .option('--oauth-client-secret <secret>', 'client secret of your OAuth application')
    .option('--oauth-scope <scope>', 'an OAuth scope to ask for (repeat)', collectList)
    .option('--oauth-allow-email <email>', 'let in only this email address (repeat)', collectList)
    .option('--oauth-allow-domain <domain>', 'let in only email addresses of this domain (repeat)', collectList)
    .option('--oidc <issuer-url>', 'only users signed in by this OpenID Connect issuer (its URL)')
    .option('--oidc-client-id <id>', 'client id registered with the issuer (with --oidc-client-secret)')
    .option('--oidc-client-secret <secret>', 'client secret registered with the issuer')
    .option('--oidc-scope <scope>', 'a scope to ask for (repeat; default openid, profile, email)', collectList)
    .option('--oidc-allow-email <email>', 'let in only this email address (repeat)', collectList)
    .option('--oidc-allow-domain <domain>', 'let in only email addresses of this domain (repeat)', collectList);
}

export function withPoolingFlag(cmd: Command): Command {
  return cmd.option('--pooling-enabled', 'share the endpoint with other agents that also pool (load-balanced)');
}

/** The settings flags, for resolveSettings(). */
export function settingsOptions(flags: AgentFlags): SettingsOptions {
  const o: SettingsOptions = { configPath: flags.config };
  if (flags.authtoken) o.authtoken = flags.authtoken;
  if (flags.serverAddr) o.serverAddr = flags.serverAddr;
  if (flags.caCert) o.caCertPath = flags.caCert;
  if (flags.region) o.region = flags.region;
  return o;
}

/** The endpoint flags copied onto a ListenSpec. */
export function endpointOptions(flags: EndpointFlags): Partial<ListenSpec> {
  checkNamingFlags(flags);
  const o: Partial<ListenSpec> = {};
  if (flags.domain) o.domain = flags.domain;
  if (flags.hostname) o.hostname = flags.hostname;
  if (flags.subdomain) o.subdomain = flags.subdomain;
  if (flags.remoteAddr) o.remoteAddr = flags.remoteAddr;
  if (flags.scheme) o.scheme = flags.scheme;
  if (flags.metadata) o.metadata = flags.metadata;
  if (flags.poolingEnabled) o.poolingEnabled = true;
  if (flags.inspect !== undefined) o.inspect = flags.inspect;
  if (flags.crt || flags.key) o.terminateTls = readTerminateTls(flags.crt, flags.key, '--crt/--key');
  const modules: EndpointModuleOptions = {};
  for (const name of moduleOptionNames) if (flags[name] !== undefined) Object.assign(modules, { [name]: flags[name] });
  if (flags.mutualTlsCas) modules.mutualTlsCa = readCaFile(flags.mutualTlsCas);
  if (Object.keys(modules).length) o.modules = modules;
  return o;
}

/** --domain, --hostname and --subdomain each name the hostname: one of them, and not empty. */
function checkNamingFlags(flags: EndpointFlags): void {
  const given = (['domain', 'hostname', 'subdomain'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1)
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      `--${given[0]} and --${given[1]} both name the hostname: give one of --domain, --hostname, --subdomain`,
    );
  const empty = given.find((k) => !flags[k]);
  if (empty) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `--${empty}: give a name, not an empty value`);
}

/** The --mutual-tls-cas file; the edge checks what it holds. */
function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      `--mutual-tls-cas: cannot read ${path}: ${(err as Error).message}`,
    );
  }
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Like collect(), splitting on commas as ngrok's list flags do. */
function collectList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('give a fraction above 0 and at most 1, e.g. 0.5');
  return n;
}
