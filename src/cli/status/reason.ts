/** Short, one-line reasons for the status screen. */
import { ErrorCode, isPorticoError } from '../../errors/catalogue.ts';

/**
 * The cause of a connection failure in a few words: the socket's own message rather than the
 * catalogue's paragraph, with a hint when no edge answered at all.
 */
export function shortReason(err: Error): string {
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  if (!isPorticoError(err)) return err.message;
  if (err.code === ErrorCode.ERR_AGENT_EDGE_UNREACHABLE) return `${cause ?? err.message}; is \`portico edge\` running?`;
  return cause ?? err.message;
}
