/**
 * Runs one agent invocation: resolve settings, connect, start the planned tunnels, report them,
 * and stay up until SIGINT/SIGTERM or an edge Stop. The first connect failing exits 1.
 */
import { readAgentConfig } from '../agent/config-file.ts';
import type { Listener } from '../agent/listener.ts';
import { AgentSession } from '../agent/session.ts';
import type { AgentSessionOptions } from '../agent/session.ts';
import { resolveSettings } from '../agent/settings.ts';
import { certificateWarning } from '../agent/terminate-tls.ts';
import { isPorticoError } from '../errors/catalogue.ts';
import type { Logger } from '../log/logger.ts';
import { loggerFor, settingsOptions } from './agent-flags.ts';
import type { AgentPlan } from './agent-commands.ts';

export interface RunIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  exit(code: number): void;
}

const processIo: RunIo = { stdout: process.stdout, stderr: process.stderr, exit: (code) => process.exit(code) };

/** Resolves with the running session, or undefined after reporting a failure (exit 1). */
export async function runAgent(plan: AgentPlan, io: RunIo = processIo): Promise<AgentSession | undefined> {
  const logger = loggerFor(plan.flags);
  let session: AgentSession | undefined;
  try {
    const config = await readAgentConfig(plan.flags.config);
    const specs = plan.specs(config);
    const settings = await resolveSettings({ ...settingsOptions(plan.flags), config });
    const options: AgentSessionOptions = { serverAddr: settings.serverAddr, authtoken: settings.authtoken, logger };
    if (settings.ca) options.ca = settings.ca;
    if (settings.region) options.region = settings.region;
    if (plan.sessionMetadata) options.metadata = plan.sessionMetadata;
    session = new AgentSession(options);
    await session.connect();
    for (const spec of specs) report(await session.listen(spec), plan, logger, io);
  } catch (err) {
    await session?.close();
    io.stderr.write(`ERROR: ${errorText(err as Error)}\n`);
    io.exit(1);
    return undefined;
  }
  keepRunning(session, logger, io);
  return session;
}

/** Logs `started tunnel` (and, for text logs, prints a "Forwarding" line on stdout). */
function report(listener: Listener, plan: AgentPlan, logger: Logger, io: RunIo): void {
  const fields: Record<string, unknown> = { name: listener.name, addr: listener.forwardsTo, url: listener.url };
  if (listener.labels) fields.labels = listener.labels;
  logger.info('started tunnel', fields);
  const warning = certificateWarning(listener.spec, listener.url);
  if (warning) {
    logger.warn('agent TLS certificate does not cover the hostname', { url: listener.url });
    io.stderr.write(`WARNING: ${warning}\n`);
  }
  if (plan.flags.logFormat !== 'text') return;
  const labels = Object.entries(listener.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const from = listener.url || `labeled tunnel ${labels.join(' ')}`;
  io.stdout.write(`Forwarding ${from} -> ${listener.forwardsTo}\n`);
}

/** The message, with the stable code appended when it is not already in it. */
function errorText(err: Error): string {
  return isPorticoError(err) && !err.message.includes(err.code) ? `${err.message} (${err.code})` : err.message;
}

function keepRunning(session: AgentSession, logger: Logger, io: RunIo): void {
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    void session.close().then(() => io.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  session.once('close', () => {
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
  });
  session.once('stop', () => {
    logger.info('stopped by the edge');
    io.exit(0);
  });
  session.on('tunnel-stopped', (listener, reason) => {
    logger.error('tunnel stopped by the edge', { name: listener.name, url: listener.url, message: reason.message, code: reason.errorCode });
    if (session.tunnels.length > 0) return;
    io.stderr.write(`ERROR: ${reason.message || 'the edge stopped the tunnel'}${reason.errorCode ? ` (${reason.errorCode})` : ''}\n`);
    void session.close().then(() => io.exit(1));
  });
}
