/** What the agent says when its first connection finds no edge: the address, where it came from, what to do. */
import type { AgentSettings } from '../agent/settings.ts';
import type { PorticoError } from '../errors/catalogue.ts';

/** The lines printed after "ERROR: " for ERR_AGENT_EDGE_UNREACHABLE on the first connect. */
export function edgeUnreachableText(err: PorticoError, settings: AgentSettings): string {
  const addr = settings.serverAddr;
  const cause = err.cause instanceof Error ? err.cause.message : err.message;
  const origin = originText(settings);
  const lines = [`cannot reach the edge at ${addr}: ${cause} (${err.code})`, `The address came from ${origin}.`];
  if (settings.sources.serverAddr === 'bootstrap') {
    lines.push(
      'The `portico edge` that wrote it does not seem to be running: start it again with `portico edge`, or pass --server-addr host:port.',
    );
  } else {
    lines.push(
      `Is \`portico edge\` running there, with its agent address (--agent-addr) at ${addr}? Start it, or correct the address.`,
    );
  }
  return lines.join('\n');
}

function originText(settings: AgentSettings): string {
  switch (settings.sources.serverAddr) {
    case 'option':
      return 'the --server-addr flag';
    case 'env':
      return 'the PORTICO_SERVER_ADDR environment variable';
    case 'config':
      return `server_addr in the config file ${settings.files.config}`;
    default:
      return `agent_addr in ${settings.files.bootstrap} (written by \`portico edge\` on this machine)`;
  }
}
