/**
 * Runs one agent invocation: resolve settings, connect, start the planned tunnels, report them
 * (status screen on a terminal, lines and logs elsewhere), and stay up until SIGINT/SIGTERM or
 * an edge Stop. The first connect failing exits 1.
 */
import { dirname } from 'node:path';
import { splitHostPort } from '../agent/addr.ts';
import { readAgentConfig } from '../agent/config-file.ts';
import type { AgentConfigFile } from '../agent/config-file.ts';
import { defaultInspectAddr, startInspector } from '../agent/inspector/server.ts';
import type { Inspector } from '../agent/inspector/server.ts';
import type { Listener } from '../agent/listener.ts';
import { AgentSession } from '../agent/session.ts';
import type { AgentSessionOptions } from '../agent/session.ts';
import { resolveSettings } from '../agent/settings.ts';
import type { AgentSettings } from '../agent/settings.ts';
import { certificateWarning } from '../agent/terminate-tls.ts';
import { AgentTraffic } from '../agent/traffic/traffic.ts';
import { NoTunnelsError } from '../agent/tunnels.ts';
import { ErrorCode, isPorticoError } from '../errors/catalogue.ts';
import type { Logger } from '../log/logger.ts';
import { settingsOptions } from './agent-flags.ts';
import { loggerFor } from './agent-logger.ts';
import type { AgentPlan } from './agent-commands.ts';
import { chooseOutput } from './agent-output.ts';
import type { AgentOutput, TerminalFacts } from './agent-output.ts';
import { edgeUnreachableText } from './edge-unreachable.ts';
import { screenRequests, startStatusConsole } from './status/console.ts';
import type { StatusConsole, Terminal } from './status/console.ts';
import { logRequests } from './status/request-log.ts';

export interface RunIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  exit(code: number): void;
  /** The terminal stdout is, if it is one; absent means plain output (no status screen). */
  terminal?: Terminal & TerminalFacts;
}

const processIo: RunIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
  terminal: {
    write: (text) => process.stdout.write(text),
    get columns() {
      return process.stdout.columns;
    },
    get rows() {
      return process.stdout.rows;
    },
    on: (event, listener) => process.stdout.on(event, listener),
    off: (event, listener) => process.stdout.off(event, listener),
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    ...(process.env.TERM ? { term: process.env.TERM } : {}),
  },
};

/** Resolves with the running session, or undefined after reporting a failure (exit 1). */
export async function runAgent(plan: AgentPlan, io: RunIo = processIo): Promise<AgentSession | undefined> {
  const output = chooseOutput(plan.flags, io.terminal ?? { stdoutIsTty: false, stderrIsTty: false });
  const logger = loggerFor(plan.flags, output.log);
  let session: AgentSession | undefined;
  let settings: AgentSettings | undefined;
  let traffic: AgentTraffic | undefined;
  let inspector: Inspector | undefined;
  const warnings: string[] = [];
  try {
    const config = await readAgentConfig(plan.flags.config);
    const specs = plan.specs(config);
    const inspectAddr = inspectAddrOf(plan.flags.inspectAddr, config);
    // Observing traffic costs a little per request: only when someone looks (inspector, screen or log).
    if (inspectAddr || output.screen || output.log !== 'false') {
      traffic = new AgentTraffic({
        ...(inspectAddr ? { captureBodyBytes } : {}),
        ...(output.screen ? { recentRequests: screenRequests } : {}),
      });
    }
    settings = await resolveSettings({ ...settingsOptions(plan.flags), config });
    const options: AgentSessionOptions = { serverAddr: settings.serverAddr, authtoken: settings.authtoken, logger };
    if (settings.ca) options.ca = settings.ca;
    if (settings.region) options.region = settings.region;
    if (plan.sessionMetadata) options.metadata = plan.sessionMetadata;
    if (traffic) options.traffic = traffic;
    session = new AgentSession(options);
    await session.connect();
    if (inspectAddr && traffic) inspector = await startWeb(session, traffic, inspectAddr, config, logger);
    for (const spec of specs) {
      const warning = report(await session.listen(spec), plan, logger, io, output);
      if (warning) warnings.push(warning);
    }
  } catch (err) {
    await inspector?.close();
    await session?.close();
    io.stderr.write(`ERROR: ${failureText(err as Error, settings)}\n`);
    io.exit(1);
    return undefined;
  }
  if (traffic && output.log !== 'false') logRequests(traffic, logger);
  followReconnects(session, logger);
  if (inspector) session.once('close', () => void inspector.close());
  const screen =
    output.screen && io.terminal
      ? startStatusConsole(session, io.terminal, {
          notices: warnings,
          ...(inspector ? { inspectorUrl: inspector.url } : {}),
        })
      : undefined;
  keepRunning(session, logger, io, screen);
  return session;
}

/** Bytes of each request and response body the inspector keeps, as ngrok's agent: 10 KiB. */
const captureBodyBytes = 10 * 1024;

/** Where the inspector listens: --inspect-addr, else the config file's web_addr, else 127.0.0.1:4040; undefined for off. */
function inspectAddrOf(flag: string | undefined, config: AgentConfigFile): string | undefined {
  const addr = flag ?? config.web_addr ?? defaultInspectAddr;
  if (addr === false || addr === 'false') return undefined;
  splitHostPort(addr, undefined); // A bad address fails the start, before anything connects.
  return addr;
}

/**
 * Starts the inspector and the agent API. A machine where no port near the one asked for is
 * free still gets its tunnels: the failure is a warning, as the inspector is a convenience.
 */
async function startWeb(
  session: AgentSession,
  traffic: AgentTraffic,
  addr: string,
  config: AgentConfigFile,
  logger: Logger,
): Promise<Inspector | undefined> {
  try {
    return await startInspector({
      session,
      traffic,
      addr,
      configDir: dirname(config.file?.path ?? '.'),
      logger,
      ...(config.inspect_db_size !== undefined ? { maxBytes: config.inspect_db_size } : {}),
    });
  } catch (err) {
    logger.warn('the inspector is not running', { addr, err });
    return undefined;
  }
}

/**
 * Logs `started tunnel`; without the screen, text logs also print a "Forwarding" line on stdout.
 * Returns the warning printed about the tunnel, if any, for the screen to repeat.
 */
function report(
  listener: Listener,
  plan: AgentPlan,
  logger: Logger,
  io: RunIo,
  output: AgentOutput,
): string | undefined {
  const fields: Record<string, unknown> = { name: listener.name, addr: listener.forwardsTo, url: listener.url };
  if (listener.labels) fields.labels = listener.labels;
  logger.info('started tunnel', fields);
  const warning = certificateWarning(listener.spec, listener.url);
  if (warning) {
    logger.warn('agent TLS certificate does not cover the hostname', { url: listener.url });
    io.stderr.write(`WARNING: ${warning}\n`);
  }
  if (output.screen || plan.flags.logFormat !== 'text') return warning;
  const labels = Object.entries(listener.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const from = listener.url || `labeled tunnel ${labels.join(' ')}`;
  io.stdout.write(`Forwarding ${from} -> ${listener.forwardsTo}\n`);
  return warning;
}

/** The message, with the stable code appended when it is not already in it, and what to do where we know. */
function failureText(err: Error, settings: AgentSettings | undefined): string {
  if (isPorticoError(err) && err.code === ErrorCode.ERR_AGENT_EDGE_UNREACHABLE && settings)
    return edgeUnreachableText(err, settings);
  const text = isPorticoError(err) && !err.message.includes(err.code) ? `${err.message} (${err.code})` : err.message;
  if (err instanceof NoTunnelsError)
    return `${text}\nA minimal config file that works with \`portico start --all\`:\n\n${err.example}`;
  return text;
}

/** Logs when the next reconnect attempt starts (the session logs each failure and the success). */
function followReconnects(session: AgentSession, logger: Logger): void {
  session.on('reconnecting', ({ attempt, delayMs }) =>
    logger.info('reconnecting', { server: session.serverAddr, attempt: attempt + 1, in_ms: Math.round(delayMs) }),
  );
}

function keepRunning(session: AgentSession, logger: Logger, io: RunIo, screen: StatusConsole | undefined): void {
  const shutdown = (signal: string) => {
    screen?.stop();
    logger.info('shutting down', { signal });
    void session.close().then(() => io.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  session.once('close', () => {
    screen?.stop();
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
  });
  session.once('stop', () => {
    screen?.stop();
    logger.info('stopped by the edge');
    io.exit(0);
  });
  session.on('tunnel-stopped', (listener, reason) => {
    logger.error('tunnel stopped by the edge', {
      name: listener.name,
      url: listener.url,
      message: reason.message,
      code: reason.errorCode,
    });
    if (session.tunnels.length > 0) return;
    screen?.stop();
    io.stderr.write(
      `ERROR: ${reason.message || 'the edge stopped the tunnel'}${reason.errorCode ? ` (${reason.errorCode})` : ''}\n`,
    );
    void session.close().then(() => io.exit(1));
  });
}
