/**
 * Runs one agent invocation: resolve settings, connect, start the planned tunnels, report them
 * (status screen on a terminal, lines and logs elsewhere), and stay up until SIGINT/SIGTERM or
 * an edge Stop. The first connect failing exits 1.
 */
import { readAgentConfig } from '../agent/config-file.ts';
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
import { loggerFor, settingsOptions } from './agent-flags.ts';
import type { AgentPlan } from './agent-commands.ts';
import { chooseOutput } from './agent-output.ts';
import type { AgentOutput, TerminalFacts } from './agent-output.ts';
import { edgeUnreachableText } from './edge-unreachable.ts';
import { startStatusConsole } from './status/console.ts';
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
  // Observing traffic costs a little per request: only when someone looks (screen or log).
  const traffic = output.screen || output.log !== 'false' ? new AgentTraffic() : undefined;
  let session: AgentSession | undefined;
  let settings: AgentSettings | undefined;
  const warnings: string[] = [];
  try {
    const config = await readAgentConfig(plan.flags.config);
    const specs = plan.specs(config);
    settings = await resolveSettings({ ...settingsOptions(plan.flags), config });
    const options: AgentSessionOptions = { serverAddr: settings.serverAddr, authtoken: settings.authtoken, logger };
    if (settings.ca) options.ca = settings.ca;
    if (settings.region) options.region = settings.region;
    if (plan.sessionMetadata) options.metadata = plan.sessionMetadata;
    if (traffic) options.traffic = traffic;
    session = new AgentSession(options);
    await session.connect();
    for (const spec of specs) {
      const warning = report(await session.listen(spec), plan, logger, io, output);
      if (warning) warnings.push(warning);
    }
  } catch (err) {
    await session?.close();
    io.stderr.write(`ERROR: ${failureText(err as Error, settings)}\n`);
    io.exit(1);
    return undefined;
  }
  if (traffic && output.log !== 'false') logRequests(traffic, logger);
  followReconnects(session, logger);
  const screen =
    output.screen && io.terminal ? startStatusConsole(session, io.terminal, { notices: warnings }) : undefined;
  keepRunning(session, logger, io, screen);
  return session;
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
