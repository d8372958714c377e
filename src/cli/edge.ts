import { Command, Option } from 'commander';
import { defaultDataDir } from '../bootstrap/paths.ts';
import {
  checkTimeouts,
  edgeDefaults,
  localDefault,
  parseDuration,
  parseListenAddr,
  parsePortRange,
  timeoutDefaults,
  type EdgeConfig,
  type EdgeTimeouts,
} from '../edge/config.ts';
import { ErrorCode, isPorticoError, PorticoError } from '../errors/catalogue.ts';
import { LETS_ENCRYPT_DIRECTORY, type AcmeConfig } from '../edge/tls/acme/config.ts';
import type { LogFormat, Logger } from '../log/logger.ts';
import { checkPortsFree } from '../edge/listeners/listen.ts';
import { edgeBanner } from './edge-banner.ts';
import { acmeDirectoryUrl, checkDomain, checkMetricsKey, readCaPem } from './edge-flag-checks.ts';
import { parseLogLevels } from './log-level-flag.ts';
import { collect, oauthProviderOverrides } from './oauth-provider-flag.ts';

interface EdgeFlags {
  dataDir: string;
  agentAddr?: string;
  httpsAddr?: string;
  httpAddr?: string;
  apiAddr: string;
  apiPublicUrl?: string;
  apiTrustedProxies?: string;
  tcpPorts: string;
  domain: string;
  region: string;
  databaseUrl?: string;
  acmeDirectoryUrl: string;
  acmeCaCert?: string;
  staticBackendCaCert?: string;
  acmeEmail?: string;
  handshakeTimeout: string;
  readHeaderTimeout: string;
  idleTimeout: string;
  requestTimeout: string;
  upstreamHeaderTimeout: string;
  upstreamConnectTimeout: string;
  drainTimeout: string;
  maxConnections?: string;
  oauthProvider: string[];
  oauthCallbackOrigin?: string;
  logFormat: LogFormat;
  logLevel: string;
  accessLog: boolean;
  metricsKey?: string;
}

const seconds = (ms: number) => `${ms / 1000}s`;

/** `portico edge`: runs the edge with embedded defaults until SIGINT/SIGTERM (then drains). */
export function edgeCommand(): Command {
  return new Command('edge')
    .description('run the edge: agent ingress, public HTTPS/HTTP/TCP listeners and the API')
    .option('--data-dir <dir>', 'store, local CA and bootstrap.json ($PORTICO_DATA_DIR)', defaultDataDir())
    .option(
      '--agent-addr <addr>',
      `TLS agent ingress (default ${edgeDefaults.agentAddr}; 127.0.0.1${edgeDefaults.agentAddr} with --domain localhost)`,
    )
    .option(
      '--https-addr <addr>',
      `public HTTPS and TLS listener (default ${edgeDefaults.httpsAddr}; loopback with --domain localhost)`,
    )
    .option(
      '--http-addr <addr>',
      `public HTTP listener (default ${edgeDefaults.httpAddr}; loopback with --domain localhost)`,
    )
    .option('--api-addr <addr>', 'REST API', edgeDefaults.apiAddr)
    .option(
      '--api-public-url <url>',
      "the API's public base URL behind a reverse proxy (e.g. https://api.example.com); every uri and next_page_uri starts with it",
    )
    .option(
      '--api-trusted-proxies <cidrs>',
      'comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-Proto/Host the API believes',
    )
    .option('--tcp-ports <range>', 'ports for TCP addresses, or 0 for any free port', edgeDefaults.tcpPorts)
    .option('--domain <domain>', 'base domain for generated hostnames', edgeDefaults.domain)
    .option('--region <name>', 'the region this edge serves', edgeDefaults.region)
    .option('--database-url <url>', 'store URL (default: SQLite in the data dir)', process.env.DATABASE_URL)
    .option('--acme-directory-url <url>', 'ACME directory for automatic certificates', LETS_ENCRYPT_DIRECTORY)
    .option('--acme-ca-cert <path>', 'PEM file of CA certificates to trust for the ACME server (a private or test CA)')
    .option(
      '--static-backend-ca-cert <path>',
      "PEM file of CA certificates to trust for static backends' TLS, besides the bundled roots (a private CA)",
    )
    .option('--acme-email <address>', 'contact address for the ACME account (optional)')
    .option('--handshake-timeout <duration>', "TLS handshake, and an agent's Auth", seconds(timeoutDefaults.handshake))
    .option(
      '--read-header-timeout <duration>',
      "a request's headers must arrive within this",
      seconds(timeoutDefaults.readHeader),
    )
    .option(
      '--idle-timeout <duration>',
      'idle keep-alive connections are closed after this',
      seconds(timeoutDefaults.idle),
    )
    .option(
      '--request-timeout <duration>',
      'a whole request (headers and body) must arrive within this; 0 for no limit',
      seconds(timeoutDefaults.request),
    )
    .option(
      '--upstream-header-timeout <duration>',
      'response headers from the service behind a tunnel; 0 waits forever',
      seconds(timeoutDefaults.upstreamHeader),
    )
    .option(
      '--upstream-connect-timeout <duration>',
      "connecting to a static backend's address, TLS handshake included",
      seconds(timeoutDefaults.upstreamConnect),
    )
    .option(
      '--drain-timeout <duration>',
      'on SIGTERM, in-flight requests get this long to finish',
      seconds(timeoutDefaults.drain),
    )
    .option('--max-connections <n>', 'public connections open at once (default: the open-file limit less 512)')
    .option(
      '--oauth-provider <provider.field=url>',
      'where an OAuth provider lives, e.g. github.apiUrl=https://ghe.example.com/api/v3 (repeat)',
      collect,
      [],
    )
    .option(
      '--oauth-callback-origin <url>',
      'one origin (e.g. https://login.example.com) OAuth and OIDC providers call back on, forwarding each login to its domain',
    )
    .addOption(new Option('--log-format <format>', 'log line format').choices(['json', 'text']).default('text'))
    .option(
      '--log-level <levels>',
      'debug, info, warn, error or off; then levels by component, e.g. info,edge.proxy=debug,api=warn',
      'info',
    )
    .option('--no-access-log', 'no access-log line per public HTTP request (component access)')
    .option(
      '--metrics-key <key>',
      '/metrics on the API address asks for Authorization: Bearer <key> ($PORTICO_METRICS_KEY; default: open)',
      process.env.PORTICO_METRICS_KEY,
    )
    .action(async (flags: EdgeFlags, cmd: Command) => {
      try {
        // Checked before the logger: nothing of the edge is made from flags that are refused.
        checkMetricsKey(flags.metricsKey, cmd.getOptionValueSource('metricsKey') === 'cli');
        // Loaded here rather than at the top, so `portico --help` does not load pino.
        const { createLogger } = await import('../log/logger.ts');
        const logger = createLogger({ format: flags.logFormat, ...parseLogLevels(flags.logLevel) });
        const config = await edgeConfig(flags, logger);
        // A taken port is reported before the slow part of the start.
        await checkPortsFree([
          { addr: config.agentAddr, what: 'agent ingress' },
          { addr: config.httpsAddr, what: 'HTTPS listener' },
          { addr: config.httpAddr, what: 'HTTP listener' },
          { addr: config.apiAddr, what: 'API listener' },
        ]);
        // Loaded on demand so agent commands never load (or depend on) the edge stack.
        const { startEdge } = await import('../server/edge.ts');
        const edge = await startEdge(config);
        process.stdout.write(edgeBanner(edge, config));
        stopOnSignals(edge, logger);
      } catch (err) {
        process.stderr.write(`ERROR: ${isPorticoError(err) ? `${err.message} [${err.code}]` : String(err)}\n`);
        process.exit(1);
      }
    });
}

async function edgeConfig(flags: EdgeFlags, logger: Logger): Promise<EdgeConfig> {
  const domain = checkDomain(flags.domain);
  const addr = (value: string | undefined, fallback: string, flag: string) =>
    parseListenAddr(value ?? localDefault(fallback, domain), flag);
  return {
    dataDir: flags.dataDir,
    agentAddr: addr(flags.agentAddr, edgeDefaults.agentAddr, '--agent-addr'),
    httpsAddr: addr(flags.httpsAddr, edgeDefaults.httpsAddr, '--https-addr'),
    httpAddr: addr(flags.httpAddr, edgeDefaults.httpAddr, '--http-addr'),
    apiAddr: parseListenAddr(flags.apiAddr, '--api-addr'),
    tcpPorts: parsePortRange(flags.tcpPorts),
    domain,
    region: flags.region,
    databaseUrl: flags.databaseUrl,
    acme: acmeConfig(flags),
    staticBackends: {
      ca: flags.staticBackendCaCert ? [readCaPem(flags.staticBackendCaCert, '--static-backend-ca-cert')] : [],
    },
    timeouts: timeouts(flags),
    maxConnections:
      flags.maxConnections === undefined ? undefined : positiveInt(flags.maxConnections, '--max-connections'),
    identity: {
      oauthProviders: oauthProviderOverrides(flags.oauthProvider),
      callbackOrigin: flags.oauthCallbackOrigin,
    },
    metrics: { key: flags.metricsKey || undefined },
    accessLog: flags.accessLog,
    api: await apiAddressConfig(flags),
    logger,
  };
}

async function apiAddressConfig(flags: EdgeFlags): Promise<EdgeConfig['api']> {
  if (flags.apiPublicUrl === undefined && flags.apiTrustedProxies === undefined) return {};
  const { parsePublicUrl, parseTrustedProxies } = await import('../config/api-public-address.ts');
  return {
    ...(flags.apiPublicUrl !== undefined && { publicUrl: parsePublicUrl(flags.apiPublicUrl) }),
    ...(flags.apiTrustedProxies !== undefined && { trustedProxies: parseTrustedProxies(flags.apiTrustedProxies) }),
  };
}

function timeouts(flags: EdgeFlags): EdgeTimeouts {
  return checkTimeouts({
    handshake: parseDuration(flags.handshakeTimeout, '--handshake-timeout'),
    readHeader: parseDuration(flags.readHeaderTimeout, '--read-header-timeout'),
    idle: parseDuration(flags.idleTimeout, '--idle-timeout'),
    request: parseDuration(flags.requestTimeout, '--request-timeout'),
    upstreamHeader: parseDuration(flags.upstreamHeaderTimeout, '--upstream-header-timeout'),
    upstreamConnect: parseDuration(flags.upstreamConnectTimeout, '--upstream-connect-timeout'),
    drain: parseDuration(flags.drainTimeout, '--drain-timeout'),
  });
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new PorticoError(ErrorCode.ERR_CONFIG_INVALID, `${flag}: "${value}" is not a whole number above 0`);
  return n;
}

/** SIGTERM or SIGINT drains, then exits 0; a second signal exits at once. */
function stopOnSignals(edge: { drain(): Promise<void> }, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down: draining (a second signal exits at once)', { signal });
    void edge.drain().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function acmeConfig(flags: EdgeFlags): AcmeConfig {
  const caCertPem = flags.acmeCaCert ? readCaPem(flags.acmeCaCert, '--acme-ca-cert') : undefined;
  return { directoryUrl: acmeDirectoryUrl(flags.acmeDirectoryUrl), caCertPem, email: flags.acmeEmail };
}
