import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { defaultDataDir } from '../config/paths.ts';
import { edgeDefaults, parseListenAddr, parsePortRange, type EdgeConfig } from '../edge/config.ts';
import { isPorticoError, PorticoError } from '../errors/catalogue.ts';
import { LETS_ENCRYPT_DIRECTORY, type AcmeConfig } from '../edge/tls/acme/config.ts';
import { createLogger, type Level, type LogFormat } from '../log/logger.ts';

interface EdgeFlags {
  dataDir: string;
  agentAddr: string;
  httpsAddr: string;
  httpAddr: string;
  apiAddr: string;
  tcpPorts: string;
  domain: string;
  region: string;
  databaseUrl?: string;
  acmeDirectoryUrl: string;
  acmeCaCert?: string;
  acmeEmail?: string;
  logFormat: LogFormat;
  logLevel: Level;
}

/** `portico edge`: runs the edge with embedded defaults until SIGINT/SIGTERM. */
export function edgeCommand(): Command {
  return new Command('edge')
    .description('run the edge: agent ingress, public HTTPS/HTTP/TCP listeners and the API')
    .option('--data-dir <dir>', 'store, local CA and bootstrap.json ($PORTICO_DATA_DIR)', defaultDataDir())
    .option('--agent-addr <addr>', 'TLS agent ingress', edgeDefaults.agentAddr)
    .option('--https-addr <addr>', 'public HTTPS and TLS listener', edgeDefaults.httpsAddr)
    .option('--http-addr <addr>', 'public HTTP listener', edgeDefaults.httpAddr)
    .option('--api-addr <addr>', 'REST API', edgeDefaults.apiAddr)
    .option('--tcp-ports <range>', 'ports for TCP addresses, or 0 for any free port', edgeDefaults.tcpPorts)
    .option('--domain <domain>', 'base domain for generated hostnames', edgeDefaults.domain)
    .option('--region <name>', 'the region this edge serves', edgeDefaults.region)
    .option('--database-url <url>', 'store URL (default: SQLite in the data dir)', process.env.DATABASE_URL)
    .option('--acme-directory-url <url>', 'ACME directory for automatic certificates', LETS_ENCRYPT_DIRECTORY)
    .option('--acme-ca-cert <path>', 'PEM file of CA certificates to trust for the ACME server (a private or test CA)')
    .option('--acme-email <address>', 'contact address for the ACME account (optional)')
    .option('--log-format <format>', 'json or text', 'text')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .action(async (flags: EdgeFlags) => {
      const logger = createLogger({ format: flags.logFormat, level: flags.logLevel });
      try {
        const config: EdgeConfig = {
          dataDir: flags.dataDir,
          agentAddr: parseListenAddr(flags.agentAddr, '--agent-addr'),
          httpsAddr: parseListenAddr(flags.httpsAddr, '--https-addr'),
          httpAddr: parseListenAddr(flags.httpAddr, '--http-addr'),
          apiAddr: parseListenAddr(flags.apiAddr, '--api-addr'),
          tcpPorts: parsePortRange(flags.tcpPorts),
          domain: flags.domain.toLowerCase(),
          region: flags.region,
          databaseUrl: flags.databaseUrl,
          acme: acmeConfig(flags),
          logger,
        };
        // Loaded on demand so agent commands never load (or depend on) the edge stack.
        const { startEdge } = await import('../edge/edge.ts');
        const edge = await startEdge(config);
        const b = edge.bootstrap;
        process.stdout.write(
          [
            'Portico edge is running.',
            `  agent ingress  ${b.agent_addr}`,
            `  public HTTPS   ${b.https_addr}  (https://<name>.${b.domain}:${edge.ports.https})`,
            `  public HTTP    ${b.http_addr}`,
            `  API            ${b.api_url}`,
            `  API key        ${b.api_key}`,
            `  authtoken      ${b.authtoken}`,
            `  local CA       ${b.ca_cert}`,
            `  bootstrap      ${flags.dataDir}/bootstrap.json`,
            '',
            'In another terminal: portico http 3000',
            '',
          ].join('\n'),
        );
        const stop = () => {
          logger.info('shutting down');
          void edge.close().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (err) {
        process.stderr.write(`ERROR: ${isPorticoError(err) ? `${err.message} [${err.code}]` : String(err)}\n`);
        process.exit(1);
      }
    });
}

function acmeConfig(flags: EdgeFlags): AcmeConfig {
  let caCertPem: string | undefined;
  try {
    caCertPem = flags.acmeCaCert ? readFileSync(flags.acmeCaCert, 'utf8') : undefined;
  } catch (err) {
    throw new PorticoError('ERR_CONFIG_INVALID', `--acme-ca-cert: cannot read ${flags.acmeCaCert}`, { cause: err });
  }
  return { directoryUrl: flags.acmeDirectoryUrl, caCertPem, email: flags.acmeEmail };
}
