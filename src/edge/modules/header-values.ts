/**
 * Header values with variables (config/modules/header-template.ts) filled in for one request.
 * The template was parsed when the configuration compiled; here only the values are looked up.
 */
import type { TLSSocket } from 'node:tls';
import type { HeaderTemplate } from '../../config/modules/plans.ts';
import type { HeaderVariable } from '../../config/modules/header-template.ts';
import type { ModuleExchange } from '../pipeline/exchange.ts';
import { requestHost, textAsHeaderValue } from '../proxy/headers.ts';

const lookup: Record<HeaderVariable, (ex: ModuleExchange) => string> = {
  'conn.client_ip': (ex) => ex.clientIp,
  'conn.client_port': (ex) => String(ex.req.socket.remotePort ?? ''),
  'conn.tls.version': (ex) => (ex.req.socket as Partial<TLSSocket>).getProtocol?.() ?? '',
  'req.method': (ex) => ex.req.method ?? '',
  'req.url': (ex) => `${ex.scheme}://${ex.req.headers.host ?? ''}${ex.req.url ?? '/'}`,
  'req.url.host': (ex) => requestHost(ex.req),
  'req.url.path': (ex) => (ex.req.url ?? '/').split('?')[0]!,
  'req.url.raw_query': (ex) => {
    const url = ex.req.url ?? '';
    const q = url.indexOf('?');
    return q < 0 ? '' : url.slice(q + 1);
  },
  'endpoint.id': (ex) => ex.publicEndpointId,
  'oidc.user.id': (ex) => textAsHeaderValue(userOf(ex, 'oidc')?.id ?? ''),
  'oidc.user.name': (ex) => textAsHeaderValue(userOf(ex, 'oidc')?.name ?? ''),
  'oidc.user.email': (ex) => textAsHeaderValue(userOf(ex, 'oidc')?.email ?? ''),
  'oauth.user.id': (ex) => textAsHeaderValue(userOf(ex, 'oauth')?.id ?? ''),
  'oauth.user.name': (ex) => textAsHeaderValue(userOf(ex, 'oauth')?.name ?? ''),
  'oauth.user.email': (ex) => textAsHeaderValue(userOf(ex, 'oauth')?.email ?? ''),
};

const userOf = (ex: ModuleExchange, module: string) => (ex.identity?.module === module ? ex.identity : undefined);

/**
 * `template` with its own text as header bytes (textAsHeaderValue), once when a module is made:
 * identity values are converted as they are looked up, values from the request are its bytes.
 */
export function asHeaderBytes(template: HeaderTemplate): HeaderTemplate {
  const parts = template.parts.map((part, i) => (i % 2 === 0 ? textAsHeaderValue(part) : part));
  return { text: textAsHeaderValue(template.text), parts };
}

/**
 * The value of `template` (made by asHeaderBytes) for this request (control characters dropped so
 * a value cannot split a header).
 */
export function renderHeader(template: HeaderTemplate, ex: ModuleExchange): string {
  if (template.parts.length === 1) return template.text;
  let out = '';
  for (let i = 0; i < template.parts.length; i++)
    out += i % 2 === 0 ? template.parts[i] : lookup[template.parts[i] as HeaderVariable](ex);
  return out.replace(/[\r\n\0]/g, '');
}
