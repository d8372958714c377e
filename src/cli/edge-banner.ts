import { join } from 'node:path';
import { listenDisplay, type EdgeConfig } from '../edge/config.ts';
import type { Edge } from '../server/edge.ts';

/**
 * What `portico edge` prints once it accepts: the addresses it really listens on, how public
 * names look, and the bootstrap credentials, those only on the start that created them
 * (afterwards they are in bootstrap.json, not in every log).
 */
export function edgeBanner(edge: Edge, config: EdgeConfig): string {
  const { ports, bootstrap: b, credentials } = edge;
  const https = ports.https === 443 ? '' : `:${ports.https}`;
  const http = ports.http === 80 ? '' : `:${ports.http}`;
  const bootstrapFile = join(config.dataDir, 'bootstrap.json');
  const row = (what: string, addr: string, note = '') => `  ${what.padEnd(14)} ${addr.padEnd(22)} ${note}`.trimEnd();
  const lines = [
    `Portico edge is running (data in ${config.dataDir}).`,
    row('agent ingress', listenDisplay(config.agentAddr.host, ports.agent), `agents dial ${b.agent_addr}`),
    row('public HTTPS', listenDisplay(config.httpsAddr.host, ports.https), `https://<name>.${b.domain}${https}`),
    row('public HTTP', listenDisplay(config.httpAddr.host, ports.http), `http://<name>.${b.domain}${http}`),
    row('API', listenDisplay(config.apiAddr.host, ports.api), b.api_url),
    row('local CA', b.ca_cert),
    '',
  ];
  if (credentials.created) {
    lines.push(
      `First start: created the account "${credentials.accountName}". Its credentials are shown this once:`,
      row('API key', credentials.apiKey),
      row('authtoken', credentials.authtoken),
      `They are kept in ${bootstrapFile} (readable by you only).`,
    );
  } else {
    lines.push(`The API key and authtoken of the account "${credentials.accountName}" are in ${bootstrapFile}.`);
  }
  lines.push('', 'In another terminal: portico http 3000', '');
  return lines.join('\n');
}
