/** The agent's logger, made when an agent command runs (pino stays unloaded for `--help`). */
import { createLogger, silentLogger, type Logger } from '../log/logger.ts';
import type { AgentFlags } from './agent-flags.ts';

/** The logger --log-format and --log-level ask for, writing to `target` (default: --log, else stderr). */
export function loggerFor(flags: AgentFlags, target = flags.log ?? 'stderr'): Logger {
  if (target === 'false') return silentLogger;
  const sink = target === 'stdout' ? process.stdout : process.stderr;
  return createLogger({ sink, format: flags.logFormat, level: flags.logLevel });
}
