/**
 * Header values with variables, as ngrok's request and response header modules take them:
 * `${conn.client_ip}` is replaced per request. A name this edge does not know is refused when
 * the configuration is written, never sent as literal text.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import { ConfigProblem } from '../compile/problem.ts';
import type { HeaderTemplate } from './plans.ts';

/** The variables a header value may use (ngrok's names), and what each holds. */
export const headerVariables = {
  'conn.client_ip': "the client's IP address",
  'conn.client_port': "the client's source port",
  'conn.tls.version': 'the TLS version of the client connection ("TLSv1.3"), empty over plain HTTP',
  'req.method': 'the request method',
  'req.url': 'the request URL as the client asked for it (scheme, host, path and query)',
  'req.url.host': 'the host name the client asked for',
  'req.url.path': 'the request path',
  'req.url.raw_query': 'the query string, without "?"',
  'endpoint.id': 'the id of the endpoint serving the request (`ep_…`, as GET /endpoints lists it)',
  'oidc.user.id': 'the OpenID user id (`sub`) of the logged-in user; empty without an oidc module',
  'oidc.user.name': 'the name of the user the oidc module logged in',
  'oidc.user.email': 'the email address of the user the oidc module logged in',
  'oauth.user.id': "the provider's user id of the user the oauth module logged in; empty without an oauth module",
  'oauth.user.name': 'the name of the user the oauth module logged in',
  'oauth.user.email': 'the email address of the user the oauth module logged in',
} as const;

export type HeaderVariable = keyof typeof headerVariables;

const variable = /\$\{\s*([^}]*?)\s*\}/g;

/** Splits `text` into literal parts and variable names; throws on an unknown name. */
export function parseHeaderTemplate(text: string, field: string): HeaderTemplate {
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(variable)) {
    const name = match[1]!;
    if (!(name in headerVariables)) {
      throw new ConfigProblem(
        field,
        ErrorCode.ERR_HEADER_TEMPLATE_INVALID,
        `\${${name}} is not a variable this edge knows; use one of ${Object.keys(headerVariables).join(', ')}`,
      );
    }
    parts.push(text.slice(last, match.index), name);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return { text, parts };
}
